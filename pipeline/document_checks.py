"""The document checks: readings (measurements) compared with the registration under a policy.

Every check follows the rules of ``docs/architecture.md``:

- a field that was not read (or read below ``documents.min_field_confidence``) gives an
  ``inconclusive`` check, never a mismatch;
- an ID that cannot be read gives ``ID_UNREADABLE`` and then no mismatch reason that depends
  on it; an upload that did not decode gives inconclusive checks without a reason (the
  orchestrator's ``files`` check says ``FILE_INVALID``);
- an address proof that is not a bill gives ``DOCUMENT_TYPE_MISMATCH`` and no
  ``ADDRESS_MISMATCH``/``ADDRESS_PROOF_STALE``;
- each check carries a Spanish ``detail`` for the reviewer and the compared values in
  ``evidence``; ``score`` is read confidence x agreement.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from typing import Any

from models.case import Case
from models.codes import ReasonCode
from models.documents import AddressReading, DocumentImage, IdReading
from models.mrz import MrzResult, names_field_may_be_cut
from models.results import Reading, Source
from models.verdict import Check, CheckStatus
from pipeline import curp as curp_rules
from pipeline import curp_evidence, names
from pipeline.document import fold
from pipeline.policy import Policy

ID_KINDS = ("ine_front", "ine_back", "passport")


def _check(
    name: str,
    status: CheckStatus,
    detail: str,
    score: float | None = None,
    reasons: Sequence[ReasonCode] = (),
    evidence: Mapping[str, object] | None = None,
) -> Check:
    return Check(
        name=name,
        status=status,
        score=None if score is None else round(max(0.0, min(1.0, score)), 4),
        detail=detail,
        reasons=list(reasons),
        evidence=dict(evidence or {}),
    )


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


# --- ID ------------------------------------------------------------------------------------


def id_checks(case: Case, reading: IdReading, policy: Policy) -> list[Check]:
    """Every check on the ID: type, readability, MRZ, CURP, names, dates, sex, expiry."""
    if reading.problem or reading.front is None:
        return [
            _check(
                "id_readable",
                "inconclusive",
                "No se pudo procesar la identificación (archivo inválido o ausente).",
                evidence={"problem": reading.problem or "no_front"},
            )
        ]
    type_check = id_type_check(case, reading, policy)
    readable = id_readable_check(reading, policy)
    if type_check.status == "fail" or readable.status == "fail":
        return [type_check, readable]
    return [
        type_check,
        readable,
        mrz_check(reading, policy),
        curp_valid_check(case, reading, policy),
        curp_match_check(case, reading, policy),
        name_check(case, reading, policy),
        birthdate_check(case, reading, policy),
        sex_check(case, reading, policy),
        expiry_check(case, reading, policy),
    ]


def id_type_check(case: Case, reading: IdReading, policy: Policy) -> Check:
    """The front (and back) look like the declared ID type, not like a bill or another ID."""
    wanted_front = "passport" if reading.id_type == "passport" else "ine_front"
    min_score = policy.number("documents.type_min_score")
    wrong = []
    sides: list[tuple[str, DocumentImage | None, str]] = [("anverso", reading.front, wanted_front)]
    if reading.id_type != "passport":
        sides.append(("reverso", reading.back, "ine_back"))
    for side, record, wanted in sides:
        if record is not None and _clearly_other(record, wanted, min_score):
            wrong.append(f"{side}: {record.kind}")
    evidence = {
        "declarado": reading.id_type,
        "anverso": reading.front.kind if reading.front else None,
        "reverso": reading.back.kind if reading.back else None,
    }
    if wrong:
        return _check(
            "id_document_type",
            "fail",
            "La imagen de identificación no corresponde al documento declarado ("
            + "; ".join(wrong)
            + ").",
            0.05,
            [ReasonCode.DOCUMENT_TYPE_MISMATCH],
            evidence=evidence,
        )
    front = reading.front
    if front is not None and front.kind == wanted_front:
        return _check(
            "id_document_type",
            "pass",
            "El documento es del tipo declarado.",
            front.kind_score,
            evidence=evidence,
        )
    return _check(
        "id_document_type",
        "inconclusive",
        "No se pudo confirmar el tipo de documento.",
        None,
        evidence=evidence,
    )


def _clearly_other(record: DocumentImage, wanted: str, min_score: float) -> bool:
    """Classified with confidence as something else than ``wanted`` (a bill, another ID side).

    An INE back uploaded as the front (or the reverse) is another side of the right
    document: it still counts as a type mismatch for that role.
    """
    if record.kind in ("unknown", "other") or record.kind == wanted:
        return False
    if wanted == "ine_back" and record.kind == "ine_front":
        # a back whose MRZ was not read still carries INE words; only the front's own
        # field labels show the front was uploaded twice
        return len(FRONT_ONLY_LABELS & set(record.keywords)) >= 2
    return record.kind_score >= min_score


#: labels printed only on an INE front
FRONT_ONLY_LABELS = frozenset(
    {"CLAVE DE ELECTOR", "DOMICILIO", "FECHA DE NACIMIENTO", "ANO DE REGISTRO", "NOMBRE", "CURP"}
)


@dataclass(frozen=True)
class Readability:
    """The measurements an ID's readability is decided from (front side and core fields)."""

    ocr_confidence: float
    words: int
    sharpness: float
    brightness: float
    contrast: float
    core_fields_read: int
    mrz_read: bool
    mrz_valid: bool = False


def readability(reading: IdReading) -> Readability:
    """Collect the readability measurements of an ID reading."""
    front = reading.front or DocumentImage()
    core: list[Reading[Any]] = [
        reading.curp,
        reading.primer_apellido,
        reading.nombre,
        reading.fecha_nacimiento,
    ]
    return Readability(
        ocr_confidence=front.ocr_confidence,
        words=front.words,
        sharpness=front.quality.sharpness,
        brightness=front.quality.brightness,
        contrast=front.quality.contrast,
        core_fields_read=sum(1 for r in core if r.present),
        mrz_read=reading.mrz is not None,
        mrz_valid=reading.mrz is not None and reading.mrz.valid,
    )


def unreadable_because(m: Readability, policy: Policy) -> list[str]:
    """Why the measurements fall below the policy (empty: readable).

    The mean word confidence is a proxy that depends on the layout (security print, microtext
    and codes read as low-confidence junk): it does not overrule direct evidence of a legible
    document, an MRZ whose every check digit holds with the core fields read.
    """
    legible = m.mrz_valid and m.core_fields_read >= policy.integer("documents.min_core_fields")
    low_confidence = m.ocr_confidence < policy.number("documents.min_ocr_confidence")
    limits = [
        (low_confidence and not legible, "confianza de OCR baja"),
        (m.words < policy.integer("documents.min_words"), "casi no se lee texto"),
        (m.sharpness < policy.number("documents.min_sharpness"), "imagen borrosa"),
        (m.brightness < policy.number("documents.min_brightness"), "imagen demasiado oscura"),
        (m.brightness > policy.number("documents.max_brightness"), "imagen sobreexpuesta"),
        (m.contrast < policy.number("documents.min_contrast"), "contraste insuficiente"),
        (
            m.core_fields_read < policy.integer("documents.min_core_fields"),
            "no se leyeron los datos principales",
        ),
    ]
    return [why for failed, why in limits if failed]


def id_readable_check(reading: IdReading, policy: Policy) -> Check:
    """ID_UNREADABLE when the measured image quality or OCR result is below the policy."""
    m = readability(reading)
    problems = unreadable_because(m, policy)
    evidence: dict[str, object] = asdict(m)
    if reading.second_looks:
        # which second looks ran (pipeline.id.scheduler), why, and what they changed
        evidence["segundas_lecturas"] = [
            f"{look.field}: {look.look} ({look.why}, {look.outcome})"
            for look in reading.second_looks
        ]
    if problems:
        detail = "La identificación no se puede leer: " + ", ".join(problems) + "."
        return _check(
            "id_readable", "fail", detail, 0.0, [ReasonCode.ID_UNREADABLE], evidence=evidence
        )
    return _check(
        "id_readable",
        "pass",
        "La identificación se leyó correctamente.",
        m.ocr_confidence,
        evidence=evidence,
    )


def _usable(reading: Reading, policy: Policy) -> bool:
    return reading.present and reading.confidence >= policy.number("documents.min_field_confidence")


def _where(field: Reading[Any]) -> str:
    """Where a field was read, for the evidence: its :class:`~models.results.Source`'s value
    ("" when it was not read)."""
    return field.source.value if field.source is not None else ""


def trusted_mrz(reading: IdReading, policy: Policy) -> MrzResult | None:
    """The ID's MRZ when every check digit holds and it was read confidently, else None."""
    mrz = reading.mrz
    if mrz is None or not mrz.valid:
        return None
    return mrz if mrz.confidence >= policy.number("documents.mrz_min_confidence") else None


def mrz_witnessed(field: Reading[Any], mrz_value: object, mrz: MrzResult | None,
                  policy: Policy) -> Reading[Any]:  # fmt: skip
    """``field`` when it was read confidently; otherwise the trusted MRZ's value, when the
    unsure printed reading agrees with it or is missing (an MRZ whose check digits all hold
    is then the better witness: ``source`` is ``Source.MRZ``, the agreeing print its
    witness). A printed value that disagrees is left as it is (inconclusive), never overridden.

    >>> from pipeline.policy import load_policy
    >>> mrz = MrzResult(format="TD3", valid=True, confidence=0.9)
    >>> unsure = Reading(value="M", confidence=0.2, source=Source.LABEL)
    >>> taken = mrz_witnessed(unsure, "M", mrz, load_policy())
    >>> taken.source, taken.witnesses, taken.confidence
    (<Source.MRZ: 'mrz'>, (<Source.LABEL: 'label'>,), 0.92)
    >>> mrz_witnessed(unsure, "H", mrz, load_policy()).source
    <Source.LABEL: 'label'>
    """
    if _usable(field, policy) or mrz is None or mrz_value is None:
        return field
    if field.present and field.value != mrz_value:
        return field
    taken = Reading(value=mrz_value, confidence=mrz.confidence, source=Source.MRZ)
    if field.present and field.source is not None and field.source is not Source.MRZ:
        return taken.witnessed(field.source, field.confidence)
    return taken


def mrz_check(reading: IdReading, policy: Policy) -> Check:
    """The MRZ's check digits hold and its fields agree with the printed ones."""
    mrz = reading.mrz
    if mrz is None:
        return _check("mrz", "inconclusive", "No se encontró o no se pudo leer la zona MRZ.")
    evidence: dict[str, object] = {
        "formato": mrz.format,
        "digitos": dict(mrz.checks),
        "valida": mrz.valid,
        "reparada": mrz.repaired,
    }
    trusted = mrz.confidence >= policy.number("documents.mrz_min_confidence")
    if not mrz.valid:
        if not trusted:
            return _check(
                "mrz",
                "inconclusive",
                "La MRZ se leyó con poca confianza y sus dígitos no verifican.",
                mrz.confidence,
                evidence=evidence,
            )
        failed = ", ".join(k for k, ok in mrz.checks.items() if not ok and k != "structure")
        if not failed:
            return _check(
                "mrz",
                "inconclusive",
                "Los dígitos verificadores de la MRZ son correctos pero su formato no se leyó bien.",
                mrz.confidence,
                evidence=evidence,
            )
        return _check(
            "mrz",
            "fail",
            f"Dígito verificador de la MRZ incorrecto ({failed}).",
            0.1,
            [ReasonCode.MRZ_INCONSISTENT],
            evidence=evidence,
        )
    conflicts = mrz_conflicts(reading, policy)
    evidence["comparado"] = conflicts["compared"]
    if conflicts["differ"]:
        values = conflict_values(reading, conflicts["differ"])
        evidence["difieren"] = values
        shown = "; ".join(
            f"{label} (impreso {pair['impreso']}, MRZ {pair['mrz']})"
            for label, pair in values.items()
        )
        return _check(
            "mrz",
            "fail",
            f"La MRZ no coincide con los datos impresos: {shown}.",
            0.1,
            [ReasonCode.MRZ_INCONSISTENT],
            evidence=evidence,
        )
    return _check(
        "mrz",
        "pass",
        "La MRZ es válida y coincide con los datos impresos.",
        mrz.confidence,
        evidence=evidence,
    )


def mrz_conflicts(reading: IdReading, policy: Policy) -> dict[str, list[str]]:
    """Printed fields (read by OCR, not taken from the MRZ) that disagree with the MRZ."""
    mrz = reading.mrz
    assert mrz is not None
    compared: list[str] = []
    differ: list[str] = []

    def printed(field: Reading) -> bool:
        return _usable(field, policy) and field.printed

    pairs: list[tuple[str, Reading[Any], object]] = [
        ("fecha de nacimiento", reading.fecha_nacimiento, mrz.birth_date),
        ("vigencia", reading.vigencia_hasta, mrz.expiry_date),
        ("sexo", reading.sexo, mrz.sexo),
    ]
    for label, field, value in pairs:
        if printed(field) and value is not None:
            compared.append(label)
            if label == "vigencia" and reading.id_type == "ine":
                # the INE prints only the year of its vigencia; the MRZ says 31 Dec of it
                year = getattr(field.value, "year", None)
                same = year is not None and year == getattr(value, "year", None)
            else:
                same = field.value == value
            if not same:
                differ.append(label)
    if printed(reading.numero_documento) and _number_repaired(mrz):
        compared.append("número de documento")
        if repair_contradicted(str(reading.numero_documento.value), mrz):
            differ.append("número de documento")
    agree = mrz_name_agrees(reading)
    if agree is not None:
        compared.append("nombre")
        if not agree:
            differ.append("nombre")
    _compare_with_curp(reading, mrz, compared, differ, policy)
    prefix = mrz.curp_prefix
    if prefix and printed(reading.curp) and reading.curp.value:
        compared.append("CURP")
        if reading.curp.value[:14] != prefix[:14]:
            differ.append("CURP")
    return {"compared": compared, "differ": differ}


def _number_repaired(mrz: MrzResult) -> bool:
    return any(r.field == "document_number" for r in mrz.repairs)


def repair_contradicted(printed: str, mrz: MrzResult) -> bool:
    """Does the printed document number show, where the MRZ's number was repaired, the
    character the MRZ was read with? Then the repair (a check digit fitted by a 0 read as D)
    is no reading of the document. Elsewhere a difference is the print's OCR (G read as 6):
    the MRZ's number, read in OCR-B under its check digit, is the better reading.

    >>> from pipeline.mrz import compose_td3, parse_mrz
    >>> lines = compose_td3("P", "MEX", "GARCIA", "ANA", "E53562360", "MEX", "680122", "F", "301124")
    >>> read = lines[1][:8] + "D" + lines[1][9:]  # a 0 read as D: the check digit repairs it
    >>> mrz = parse_mrz([lines[0], read])
    >>> mrz.document_number, repair_contradicted("E53562360", mrz), repair_contradicted("E5356236D", mrz)
    ('E53562360', False, True)
    >>> repair_contradicted("ES3562360", mrz)  # the print's own misread, where nothing was repaired
    False
    """
    start = 5 if mrz.format == "TD1" else 0
    number = mrz.document_number.rstrip("<")
    if len(printed) != len(number):
        return False
    repairs = [r for r in mrz.repairs if r.field == "document_number"]
    at = [(r.position - start, r.read) for r in repairs if 0 <= r.position - start < len(number)]
    return any(printed[i] == read for i, read in at)


def conflict_values(reading: IdReading, differ: list[str]) -> dict[str, dict[str, str]]:
    """For each field :func:`mrz_conflicts` found different, the printed value and the
    MRZ's, as a reviewer compares them (dates ISO, the MRZ name field as it is printed)."""
    mrz = reading.mrz
    assert mrz is not None
    curp = str(reading.curp.value or "")
    printed_name = _full_name(reading)
    pairs: dict[str, tuple[object, object]] = {
        "fecha de nacimiento": (reading.fecha_nacimiento.value, mrz.birth_date),
        "vigencia": (reading.vigencia_hasta.value, mrz.expiry_date),
        "sexo": (reading.sexo.value, mrz.sexo),
        "número de documento": (reading.numero_documento.value, mrz.document_number.rstrip("<")),
        "nombre": (printed_name, mrz.names_field.rstrip("<")),
        "fecha de nacimiento (CURP)": (curp_rules.birth_date_of(curp) if curp else None,
                                       mrz.birth_date),
        "sexo (CURP)": (curp[10:11], mrz.sexo),
        "CURP": (curp[:14], mrz.curp_prefix),
    }  # fmt: skip
    return {
        label: {"impreso": _shown(pairs[label][0]), "mrz": _shown(pairs[label][1])}
        for label in differ
        if label in pairs
    }


def _shown(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "—" if value in (None, "") else str(value)


def _compare_with_curp(
    reading: IdReading, mrz: MrzResult, compared: list[str], differ: list[str], policy: Policy
) -> None:
    """The MRZ's birth date and sex against the printed, check-digit-valid CURP, for each
    of them the printed field did not already compare (not read, or taken from the CURP)."""
    value = str(reading.curp.value or "")
    if not _usable(reading.curp, policy) or curp_rules.validate(value).problems:
        return
    sex = mrz.sexo
    pairs = [
        ("fecha de nacimiento", mrz.birth_date, curp_rules.birth_date_of(value)),
        ("sexo", sex, value[10]),
    ]
    for label, from_mrz, from_curp in pairs:
        if label in compared or from_mrz is None or (label == "sexo" and sex == "X"):
            continue
        compared.append(f"{label} (CURP)")
        if from_mrz != from_curp:
            differ.append(f"{label} (CURP)")


def as_mrz_name(surnames: str, given: str, width: int) -> str:
    """A name as the MRZ writes it: folded, Ñ -> N, spaces -> ``<``, truncated to ``width``.

    >>> as_mrz_name("PEÑA DE LA CRUZ", "MARÍA JOSÉ", 30)
    'PENA<DE<LA<CRUZ<<MARIA<JOSE<<<'
    """

    def part(text: str) -> str:
        return "<".join(re.sub(r"[^A-Z ]", " ", fold(text)).split())

    return (part(surnames) + "<<" + part(given))[:width].ljust(width, "<")


def mrz_name_agrees(reading: IdReading) -> bool | None:
    """The printed name, written as the MRZ writes it (truncation included), equals the MRZ's
    name field up to one OCR slip; None when either is not available."""
    mrz = reading.mrz
    field = mrz.names_field if mrz is not None else ""
    parts = (reading.primer_apellido, reading.segundo_apellido, reading.nombre)
    if not field or not reading.primer_apellido.present or not reading.nombre.present:
        return None
    if not any(p.printed for p in parts if p.present):
        return None  # nothing printed to compare (parts taken from the MRZ agree with it)
    surnames = f"{reading.primer_apellido.value or ''} {reading.segundo_apellido.value or ''}"
    printed = as_mrz_name(surnames, str(reading.nombre.value), 200)
    return any(_mrz_letters_agree(printed, read) for read in _filler_readings(field))


def _mrz_letters_agree(printed: str, field: str) -> bool:
    """Letters only (OCR may glue or split words), up to the MRZ's truncation, one slip.

    A field that may have been cut (:func:`~models.mrz.names_field_may_be_cut`) is compared
    up to its length.

    >>> _mrz_letters_agree("MORALES<DE<LA<CRUZ<<FRANCISCO<JAVIER", "MORALES<DE<LA<CRUZ<<FRANCISCO<")
    True
    >>> _mrz_letters_agree("PEREZ<<ANA<MARIA", "PEREZ<<ANA<<<<<<<<<<<<<<<<<<<<")
    False
    """
    letters_mrz = re.sub(r"[^A-Z]", "", field)
    letters_printed = re.sub(r"[^A-Z]", "", printed)
    if names_field_may_be_cut(field):
        letters_printed = letters_printed[: len(letters_mrz)]
    return names.edit_distance(letters_printed, letters_mrz, limit=3) <= 1


def _filler_readings(field: str) -> list[str]:
    """The MRZ name field as read, and with the X an OCR read beside a ``<`` filler (its
    commonest MRZ confusion) dropped: ``BARBARAX<XTER`` is ``BARBARA<TER`` (names have no
    check digit to catch it).

    >>> _filler_readings("PEREZ<<BARBARAX<XTER")
    ['PEREZ<<BARBARAX<XTER', 'PEREZ<<BARBARA<TER']
    """
    dropped = re.sub(r"X(?=<)|(?<=<)X", "", field)
    return [field] if dropped == field else [field, dropped]


def _full_name(reading: IdReading, printed_only: bool = False) -> str:
    parts = [reading.primer_apellido, reading.segundo_apellido, reading.nombre]
    if printed_only and any(not p.printed for p in parts if p.present):
        return ""
    return " ".join(str(p.value) for p in parts if p.present and p.value).strip()


def registration_curp_problems(case: Case) -> list[str]:
    """The CURP rules the registered CURP breaks: structure, state code, birth date, homonym
    character, check digit, and agreement with the registered state of birth.

    Agreement with the registered names, birth date and sex is *not* checked here: a
    registration field that disagrees is reported by its own mismatch check against the
    document, not twice.
    """
    reg = case.registration
    problems = list(curp_rules.validate(reg.curp).problems)
    if "format" in problems:
        return problems
    agreement = curp_rules.agreement(
        reg.curp, reg.nombre, reg.primer_apellido, reg.segundo_apellido or None, None, None,
        reg.entidad_nacimiento,
    )  # fmt: skip
    if agreement.get("state") is False:
        problems.append("state_no_concuerda")
    return problems


def ocr_slip(case: Case, reading: IdReading, policy: Policy) -> bool:
    """The document CURP differs from the registered one in a single character while the
    registered CURP agrees with everything printed on the document: an OCR slip (some
    letter pairs, e.g. J/L, even keep the check digit), not another person's CURP. The two
    characters must be look-alikes, unless the document's own print contradicts the read
    one (V read as M, which keep the check digit too, under a printed VILLASEÑOR)."""
    read, reg = str(reading.curp.value or ""), case.registration.curp.strip().upper()
    if len(read) != len(reg) or sum(a != b for a, b in zip(read, reg, strict=True)) != 1:
        return False
    if not any(confusable(a, b) for a, b in zip(read, reg, strict=True) if a != b):
        # 0 for 5 is no OCR slip: a homonym's CURP differs just so, where nothing printed
        # on the document says which is right
        own = _printed_agreement(read, reading, policy)
        if all(ok is not False for ok in own.values()):
            return False
    printed = _printed_agreement(reg, reading, policy)
    return bool(printed) and all(ok is not False for ok in printed.values())


#: glyphs an OCR takes for one another (each group): the CURP reader's own confusions and
#: the letter/digit look-alikes; other pairs are not read-slips
CONFUSABLE_GROUPS = (
    *curp_evidence.LETTER_CONFUSIONS,
    *curp_evidence.DIGIT_CONFUSIONS,
    *("0ODQ", "1IL", "5S", "8B", "2Z", "6G", "4A", "7T"),
)


def confusable(a: str, b: str) -> bool:
    """``a`` and ``b`` are glyphs an OCR confuses.

    >>> confusable("J", "L"), confusable("0", "O"), confusable("0", "5")
    (True, True, False)
    """
    return a != b and any(a in group and b in group for group in CONFUSABLE_GROUPS)


def _printed_agreement(value: str, reading: IdReading, policy: Policy) -> dict[str, bool | None]:
    """Agreement of ``value`` with the document's printed birth date, sex and (confident) names."""

    def own(field: Reading[Any], min_conf: float) -> bool:
        return _usable(field, policy) and field.printed and field.confidence >= min_conf

    born, sex = reading.fecha_nacimiento, reading.sexo
    names_ok = all(own(f, 0.8) for f in (reading.nombre, reading.primer_apellido))
    agreement = curp_rules.agreement(
        value,
        str(reading.nombre.value) if names_ok else "",
        str(reading.primer_apellido.value) if names_ok else "",
        str(reading.segundo_apellido.value or "") if names_ok else None,
        born.value if own(born, 0.0) and isinstance(born.value, dt.date) else None,
        str(sex.value) if own(sex, 0.0) else None,
        None,
    )
    checked = {"birth_date", "sex"} | ({"initials", "consonants"} if names_ok else set())
    return {k: ok for k, ok in agreement.items() if k in checked}


def document_curp_problems(reading: IdReading, policy: Policy) -> list[str]:
    """The rules a *well-read* document CURP breaks: agreement with the document's own
    printed birth date and sex (and names, when read confidently).

    A document CURP failing its structure or check digit is not reported here: OCR slips
    look exactly like that; when it is the registered CURP too, the registration check
    reports it, and when it differs :func:`curp_match_check` stays inconclusive.
    """
    value = str(reading.curp.value)
    if curp_rules.validate(value).problems:
        return []
    agreement = _printed_agreement(value, reading, policy)
    return [f"{k}_no_concuerda" for k, ok in agreement.items() if ok is False]


def curp_valid_check(case: Case, reading: IdReading, policy: Policy) -> Check:
    """The registration's CURP passes the CURP rules, and the document's CURP agrees with what
    the same document prints.

    ``CURP_INVALID`` means the CURP itself breaks a rule (structure, date, state, check digit).
    A well-formed document CURP that disagrees with the document's own printed birth date, sex
    or names says that one of those witnesses was misread (or the document is inconsistent):
    the check is inconclusive, names the disagreeing witnesses, and a person looks.
    """
    problems = registration_curp_problems(case)
    evidence: dict[str, object] = {
        "registro": case.registration.curp,
        "problemas_registro": problems,
    }
    doc_problems: list[str] = []
    if _usable(reading.curp, policy) and reading.curp.value and not ocr_slip(case, reading, policy):
        doc_problems = document_curp_problems(reading, policy)
        evidence |= {"documento": reading.curp.value, "problemas_documento": doc_problems}
    if problems:
        return _check(
            "curp_valid",
            "fail",
            "La CURP del registro no es válida: " + ", ".join(problems) + ".",
            0.05,
            [ReasonCode.CURP_INVALID],
            evidence=evidence,
        )
    if doc_problems:
        return _check(
            "curp_valid",
            "inconclusive",
            "La CURP del documento no concuerda con lo impreso en el mismo documento: "
            + ", ".join(doc_problems)
            + ".",
            None,
            evidence=evidence,
        )
    return _check(
        "curp_valid", "pass", "La CURP es válida y concuerda con los datos.", 1.0, evidence=evidence
    )


def curp_match_check(case: Case, reading: IdReading, policy: Policy) -> Check:
    """The document's CURP equals the registration's."""
    field, reg = reading.curp, re.sub(r"\s", "", case.registration.curp.upper())
    evidence = {"documento": field.value, "registro": reg, "confianza": field.confidence}
    if not _usable(field, policy) or not field.value:
        return _check(
            "curp_match",
            "inconclusive",
            "No se pudo leer la CURP del documento.",
            None,
            evidence=evidence,
        )
    if field.value == reg:
        return _check(
            "curp_match",
            "pass",
            "La CURP del documento coincide con la registrada.",
            field.confidence,
            evidence=evidence,
        )
    if not curp_rules.validate(str(field.value)).valid or ocr_slip(case, reading, policy):
        return _check(
            "curp_match",
            "inconclusive",
            "La CURP leída no es válida (posible error de lectura) y difiere de la registrada.",
            field.confidence * 0.5,
            evidence=evidence,
        )
    return _check(
        "curp_match",
        "fail",
        "La CURP del documento no coincide con la registrada.",
        1 - field.confidence,
        [ReasonCode.CURP_MISMATCH],
        evidence=evidence,
    )


def name_check(case: Case, reading: IdReading, policy: Policy) -> Check:
    """The name on the ID agrees (tolerantly, :func:`pipeline.names.compare`) with the
    registered one; a name part not read makes it inconclusive."""
    reg = case.registration
    registered = (reg.nombre, reg.primer_apellido, reg.segundo_apellido or "")
    fields = (reading.nombre, reading.primer_apellido, reading.segundo_apellido)
    read = tuple(str(f.value) if _usable(f, policy) else None for f in fields)
    evidence: dict[str, object] = {
        "documento": _full_name(reading),
        "registro": " ".join(
            p for p in (reg.primer_apellido, reg.segundo_apellido, reg.nombre) if p
        ),
    }
    if read[0] is None or read[1] is None:
        return _mrz_name_check(case, reading, policy, evidence)
    if _names_from_mrz(reading):
        # the MRZ's name field is cut at its width (VICTOR MANU): compared as it is written
        mrz = trusted_mrz(reading, policy)
        if mrz is not None and registration_matches_mrz_name(case, mrz):
            return _mrz_name_check(case, reading, policy, evidence)
    comparison = names.compare(registered, (read[0], read[1], read[2]))
    evidence |= {"similitud": comparison.score, "difieren": comparison.disagreeing}
    conf = min(f.confidence for f in fields if f.present)
    if comparison.verdict == "match":
        return _check(
            "name_match",
            "pass",
            "El nombre coincide con el registrado.",
            conf * comparison.score,
            evidence=evidence,
        )
    if comparison.verdict == "mismatch":
        return _check(
            "name_match",
            "fail",
            "El nombre del documento no coincide con el registrado ("
            + ", ".join(comparison.disagreeing)
            + ").",
            conf * comparison.score,
            [ReasonCode.NAME_MISMATCH],
            evidence=evidence,
        )
    return _check(
        "name_match",
        "inconclusive",
        "El nombre se parece al registrado pero no con certeza; revisar.",
        conf * comparison.score,
        evidence=evidence,
    )


def _names_from_mrz(reading: IdReading) -> bool:
    """Every name part read was taken from the MRZ (none was read in the printed zone)."""
    parts = [reading.primer_apellido, reading.segundo_apellido, reading.nombre]
    return not any(p.printed for p in parts if p.present)


def registration_matches_mrz_name(case: Case, mrz: MrzResult) -> bool:
    """The registered name, written as the MRZ writes it (folded, truncated), equals the MRZ's
    name field letter for letter (up to one OCR slip)."""
    field = mrz.names_field
    reg = case.registration
    if not field:
        return False
    surnames = f"{reg.primer_apellido} {reg.segundo_apellido or ''}"
    written = re.sub(r"[^A-Z]", "", as_mrz_name(surnames, reg.nombre, len(field)))
    return names.edit_distance(written, re.sub(r"[^A-Z]", "", field), limit=3) <= 1


def _mrz_name_check(
    case: Case, reading: IdReading, policy: Policy, evidence: dict[str, object]
) -> Check:
    """The printed name was not read confidently: a trusted MRZ that spells the registered
    name passes the check; anything else stays inconclusive (never a mismatch on the MRZ alone:
    its name field has no check digit)."""
    mrz = trusted_mrz(reading, policy)
    if mrz is not None and registration_matches_mrz_name(case, mrz):
        evidence |= {"mrz": mrz.names_field.rstrip("<"), "metodo": Source.MRZ.value}
        return _check(
            "name_match",
            "pass",
            "El nombre de la MRZ coincide con el registrado.",
            mrz.confidence,
            evidence=evidence,
        )
    return _check(
        "name_match",
        "inconclusive",
        "No se pudo leer el nombre del documento.",
        None,
        evidence=evidence,
    )


def birthdate_check(case: Case, reading: IdReading, policy: Policy) -> Check:
    """The birth date on the ID equals the registered one."""
    mrz = trusted_mrz(reading, policy)
    field = mrz_witnessed(reading.fecha_nacimiento, mrz and mrz.birth_date, mrz, policy)
    reg = case.registration.fecha_nacimiento
    evidence = {
        "documento": _iso(field.value),
        "registro": reg.isoformat(),
        "metodo": _where(field),
    }
    if not _usable(field, policy):
        return _check(
            "birthdate_match",
            "inconclusive",
            "No se pudo leer la fecha de nacimiento.",
            None,
            evidence=evidence,
        )
    if field.value == reg:
        return _check(
            "birthdate_match",
            "pass",
            "La fecha de nacimiento coincide.",
            field.confidence,
            evidence=evidence,
        )
    return _check(
        "birthdate_match",
        "fail",
        "La fecha de nacimiento del documento no coincide con la registrada.",
        1 - field.confidence,
        [ReasonCode.BIRTHDATE_MISMATCH],
        evidence=evidence,
    )


def sex_check(case: Case, reading: IdReading, policy: Policy) -> Check:
    """The sex on the ID equals the registered one (H, M or X)."""
    mrz = trusted_mrz(reading, policy)
    from_mrz = mrz.sexo if mrz is not None else None
    field, reg = mrz_witnessed(reading.sexo, from_mrz, mrz, policy), case.registration.sexo
    evidence = {"documento": field.value, "registro": reg, "metodo": _where(field)}
    if not _usable(field, policy):
        return _check(
            "sex_match",
            "inconclusive",
            "No se pudo leer el sexo del documento.",
            None,
            evidence=evidence,
        )
    if field.value == reg:
        return _check(
            "sex_match",
            "pass",
            "El sexo coincide con el registrado.",
            field.confidence,
            evidence=evidence,
        )
    return _check(
        "sex_match",
        "fail",
        "El sexo del documento no coincide con el registrado.",
        1 - field.confidence,
        [ReasonCode.SEX_MISMATCH],
        evidence=evidence,
    )


def expiry_check(case: Case, reading: IdReading, policy: Policy) -> Check:
    """The ID is still valid on the submission date."""
    mrz = trusted_mrz(reading, policy)
    field = mrz_witnessed(reading.vigencia_hasta, mrz and mrz.expiry_date, mrz, policy)
    submitted = case.submitted_at.date()
    evidence = {
        "vigencia_hasta": _iso(field.value),
        "enviado": submitted.isoformat(),
        "metodo": _where(field),
    }
    if not _usable(field, policy) or not isinstance(field.value, dt.date):
        return _check(
            "id_expiry", "inconclusive", "No se pudo leer la vigencia.", None, evidence=evidence
        )
    if field.value >= submitted:
        return _check(
            "id_expiry",
            "pass",
            "La identificación está vigente.",
            field.confidence,
            evidence=evidence,
        )
    return _check(
        "id_expiry",
        "fail",
        f"La identificación venció el {field.value.isoformat()}.",
        1 - field.confidence,
        [ReasonCode.ID_EXPIRED],
        evidence=evidence,
    )


# --- address -------------------------------------------------------------------------------


def address_checks(case: Case, reading: AddressReading, policy: Policy) -> list[Check]:
    """The proof of address: is a bill, readable, recent, and at the registered address."""
    if reading.problem.startswith("upload_"):
        return [
            _check(
                "address_readable",
                "inconclusive",
                "No se pudo procesar el comprobante (archivo inválido o ausente).",
                evidence={"problem": reading.problem},
            )
        ]
    kind = address_type_check(reading, policy)
    if kind.status == "fail":
        return [kind]
    readable = address_readable_check(reading, policy)
    if readable.status == "fail":
        return [kind, readable]
    return [
        kind,
        readable,
        recency_check(case, reading, policy),
        address_match_check(case, reading, policy),
    ]


def address_type_check(reading: AddressReading, policy: Policy) -> Check:
    """DOCUMENT_TYPE_MISMATCH when the upload is an ID, or clearly legible but not a bill."""
    evidence = {"tipo": reading.kind, "puntaje": reading.kind_score, "emisor": reading.emisor.value}
    if reading.kind in ID_KINDS and reading.kind_score >= policy.number("documents.type_min_score"):
        return _check(
            "address_document_type",
            "fail",
            "El comprobante de domicilio es una identificación, no un recibo.",
            0.05,
            [ReasonCode.DOCUMENT_TYPE_MISMATCH],
            evidence=evidence,
        )
    if reading.kind == "bill" or reading.emisor.present:
        return _check(
            "address_document_type",
            "pass",
            "El documento es un recibo de servicio.",
            max(reading.kind_score, 0.5),
            evidence=evidence,
        )
    legible = reading.text_chars >= policy.integer(
        "address.min_text_chars"
    ) and reading.ocr_confidence >= policy.number("address.min_ocr_confidence")
    if legible and reading.kind == "other":
        return _check(
            "address_document_type",
            "fail",
            "El documento se lee pero no parece un recibo de servicio.",
            0.1,
            [ReasonCode.DOCUMENT_TYPE_MISMATCH],
            evidence=evidence,
        )
    return _check(
        "address_document_type",
        "inconclusive",
        "No se pudo confirmar el tipo de comprobante.",
        None,
        evidence=evidence,
    )


def address_readable_check(reading: AddressReading, policy: Policy) -> Check:
    """ADDRESS_PROOF_UNREADABLE from measured text amount, OCR confidence and key fields."""
    evidence = {
        "caracteres": reading.text_chars,
        "confianza_ocr": reading.ocr_confidence,
        "fuente": reading.source,
        "fecha_leida": reading.fecha.present,
        "cp_leido": reading.codigo_postal.present,
    }
    problems = []
    if reading.problem:
        problems.append("el PDF no se pudo abrir")
    if reading.text_chars < policy.integer("address.min_text_chars"):
        problems.append("casi no se lee texto")
    if reading.ocr_confidence < policy.number("address.min_ocr_confidence"):
        problems.append("confianza de OCR baja")
    if not reading.fecha.present and not reading.codigo_postal.present:
        problems.append("no se leyó ni la fecha ni el código postal")
    if problems:
        return _check(
            "address_readable",
            "fail",
            "El comprobante no se puede leer: " + ", ".join(problems) + ".",
            0.0,
            [ReasonCode.ADDRESS_PROOF_UNREADABLE],
            evidence=evidence,
        )
    return _check(
        "address_readable",
        "pass",
        "El comprobante se leyó correctamente.",
        reading.ocr_confidence,
        evidence=evidence,
    )


def recency_check(case: Case, reading: AddressReading, policy: Policy) -> Check:
    """ADDRESS_PROOF_STALE when the recency date is older than ``address.max_age_days``."""
    field = reading.fecha
    submitted = case.submitted_at.date()
    max_age = policy.integer("address.max_age_days")
    evidence = {
        "fecha": _iso(field.value),
        "base": reading.fecha_basis,
        "enviado": submitted.isoformat(),
        "max_dias": max_age,
    }
    if not field.present or not isinstance(field.value, dt.date):
        return _check(
            "address_recency",
            "inconclusive",
            "No se pudo leer la fecha del comprobante, así que no se midió su antigüedad: "
            f"confirme a mano que no tenga más de {max_age} días.",
            None,
            evidence=evidence | {"documento": None, "registro": f"enviado {submitted}"},
        )
    age = (submitted - field.value).days
    evidence["antiguedad_dias"] = age
    if age > max_age:
        return _check(
            "address_recency",
            "fail",
            f"El comprobante tiene {age} días de antigüedad (máximo {max_age}).",
            1 - field.confidence,
            [ReasonCode.ADDRESS_PROOF_STALE],
            evidence=evidence,
        )
    if age < -policy.integer("address.max_future_days"):
        return _check(
            "address_recency",
            "inconclusive",
            "La fecha del comprobante es posterior al envío; revisar.",
            None,
            evidence=evidence,
        )
    return _check(
        "address_recency",
        "pass",
        "El comprobante es reciente.",
        field.confidence,
        evidence=evidence,
    )


def address_match_check(case: Case, reading: AddressReading, policy: Policy) -> Check:
    """C.P. exact; street and colonia fuzzy against the registered address."""
    reg = case.registration.domicilio
    street = f"{reg.calle} {reg.numero_exterior}"
    text = str(reading.domicilio.value or "")
    evidence: dict[str, object] = {
        "cp_documento": reading.codigo_postal.value,
        "cp_registro": reg.codigo_postal,
        "domicilio_documento": text,
        "calle_registro": street,
        "colonia_registro": reg.colonia,
    }
    if not reading.codigo_postal.present:
        return _check(
            "address_match",
            "inconclusive",
            "No se pudo leer el código postal del comprobante, así que su domicilio no se "
            "comparó con el registrado: compárelo a mano (código postal, calle y colonia).",
            None,
            evidence=evidence
            | {
                "motivo": "cp_no_leido",
                "documento": text or None,
                "registro": f"{street}, {reg.colonia}, C.P. {reg.codigo_postal}",
            },
        )
    street_score = token_cover(street, text)
    colonia_score = token_cover(reg.colonia, text)
    evidence |= {
        "similitud_calle": round(street_score, 3),
        "similitud_colonia": round(colonia_score, 3),
    }
    conf = reading.codigo_postal.confidence
    if reading.codigo_postal.value != reg.codigo_postal.strip():
        return _check(
            "address_match",
            "fail",
            "El código postal del comprobante no coincide con el registrado.",
            1 - conf,
            [ReasonCode.ADDRESS_MISMATCH],
            evidence=evidence,
        )
    min_street = policy.number("address.street_min_similarity")
    if text and street_score < min_street and colonia_score < min_street:
        return _check(
            "address_match",
            "fail",
            "La calle y la colonia del comprobante no coinciden con las registradas.",
            conf * max(street_score, colonia_score),
            [ReasonCode.ADDRESS_MISMATCH],
            evidence=evidence,
        )
    return _check(
        "address_match",
        "pass",
        "El domicilio coincide con el registrado.",
        conf * max(street_score, colonia_score, 0.5),
        evidence=evidence,
    )


_STOP = {
    "C",
    "CALLE",
    "AV",
    "AVENIDA",
    "COL",
    "COLONIA",
    "DE",
    "LA",
    "EL",
    "LOS",
    "LAS",
    "DEL",
    "NO",
    "NUM",
    "INT",
    "EXT",
    "Y",
}


def token_cover(wanted: str, text: str) -> float:
    """Share of the meaningful tokens of ``wanted`` found (fuzzily) in ``text``.

    >>> token_cover("Av. Insurgentes Sur 1234", "AV INSURGENTES SUR 1234 COL DEL VALLE")
    1.0
    >>> token_cover("Cedros 45", "C CEDROS 46")
    0.5
    """
    tokens = [t for t in re.findall(r"[A-Z0-9]+", fold(wanted)) if t not in _STOP]
    haystack = re.findall(r"[A-Z0-9]+", fold(text))
    if not tokens:
        return 1.0
    found = 0
    for token in tokens:
        if token.isdigit():
            found += token in haystack
        else:
            found += any(SequenceMatcher(None, token, t).ratio() >= 0.8 for t in haystack)
    return found / len(tokens)


# --- extracted -------------------------------------------------------------------------------


def id_extracted(reading: IdReading) -> dict[str, object]:
    """The ``id.*`` keys of :class:`models.verdict.Extracted` (None when not read)."""
    return {
        "id.curp": reading.curp.value,
        "id.nombre": reading.nombre.value,
        "id.primer_apellido": reading.primer_apellido.value,
        "id.segundo_apellido": reading.segundo_apellido.value,
        "id.fecha_nacimiento": _iso(reading.fecha_nacimiento.value),
        "id.sexo": reading.sexo.value,
        "id.vigencia_hasta": _iso(reading.vigencia_hasta.value),
        "id.clave_elector": reading.clave_elector.value,
        "id.numero_documento": reading.numero_documento.value,
        "id.mrz_valid": None if reading.mrz is None else reading.mrz.valid,
    }


def address_extracted(reading: AddressReading) -> dict[str, object]:
    """The ``address.*`` keys of :class:`models.verdict.Extracted`."""
    return {
        "address.emisor": reading.emisor.value,
        "address.codigo_postal": reading.codigo_postal.value,
        "address.fecha": _iso(reading.fecha.value),
    }
