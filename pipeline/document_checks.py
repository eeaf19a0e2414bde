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
from dataclasses import asdict, dataclass
from typing import Any

from models.case import Case
from models.codes import ReasonCode
from models.documents import DocumentImage, IdReading
from models.mrz import MrzResult
from models.results import Reading, Source
from models.verdict import Check
from pipeline import curp as curp_rules
from pipeline import curp_evidence, names
from pipeline.check_record import check, iso, usable, where
from pipeline.mrz_checks import (
    as_mrz_name,
    full_name,
    mrz_check,
    mrz_witnessed,
    trusted_mrz,
)
from pipeline.policy import Policy

# --- ID ------------------------------------------------------------------------------------


def id_checks(case: Case, reading: IdReading, policy: Policy) -> list[Check]:
    """Every check on the ID: type, readability, MRZ, CURP, names, dates, sex, expiry."""
    if reading.problem or reading.front is None:
        return [
            check(
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
        return check(
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
        return check(
            "id_document_type",
            "pass",
            "El documento es del tipo declarado.",
            front.kind_score,
            evidence=evidence,
        )
    return check(
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
        return check(
            "id_readable", "fail", detail, 0.0, [ReasonCode.ID_UNREADABLE], evidence=evidence
        )
    return check(
        "id_readable",
        "pass",
        "La identificación se leyó correctamente.",
        m.ocr_confidence,
        evidence=evidence,
    )


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
        return usable(field, policy) and field.printed and field.confidence >= min_conf

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
    if usable(reading.curp, policy) and reading.curp.value and not ocr_slip(case, reading, policy):
        doc_problems = document_curp_problems(reading, policy)
        evidence |= {"documento": reading.curp.value, "problemas_documento": doc_problems}
    if problems:
        return check(
            "curp_valid",
            "fail",
            "La CURP del registro no es válida: " + ", ".join(problems) + ".",
            0.05,
            [ReasonCode.CURP_INVALID],
            evidence=evidence,
        )
    if doc_problems:
        return check(
            "curp_valid",
            "inconclusive",
            "La CURP del documento no concuerda con lo impreso en el mismo documento: "
            + ", ".join(doc_problems)
            + ".",
            None,
            evidence=evidence,
        )
    return check(
        "curp_valid", "pass", "La CURP es válida y concuerda con los datos.", 1.0, evidence=evidence
    )


def curp_match_check(case: Case, reading: IdReading, policy: Policy) -> Check:
    """The document's CURP equals the registration's."""
    field, reg = reading.curp, re.sub(r"\s", "", case.registration.curp.upper())
    evidence = {"documento": field.value, "registro": reg, "confianza": field.confidence}
    if not usable(field, policy) or not field.value:
        return check(
            "curp_match",
            "inconclusive",
            "No se pudo leer la CURP del documento.",
            None,
            evidence=evidence,
        )
    if field.value == reg:
        return check(
            "curp_match",
            "pass",
            "La CURP del documento coincide con la registrada.",
            field.confidence,
            evidence=evidence,
        )
    if not curp_rules.validate(str(field.value)).valid or ocr_slip(case, reading, policy):
        return check(
            "curp_match",
            "inconclusive",
            "La CURP leída no es válida (posible error de lectura) y difiere de la registrada.",
            field.confidence * 0.5,
            evidence=evidence,
        )
    return check(
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
    read = tuple(str(f.value) if usable(f, policy) else None for f in fields)
    evidence: dict[str, object] = {
        "documento": full_name(reading),
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
        return check(
            "name_match",
            "pass",
            "El nombre coincide con el registrado.",
            conf * comparison.score,
            evidence=evidence,
        )
    if comparison.verdict == "mismatch":
        return check(
            "name_match",
            "fail",
            "El nombre del documento no coincide con el registrado ("
            + ", ".join(comparison.disagreeing)
            + ").",
            conf * comparison.score,
            [ReasonCode.NAME_MISMATCH],
            evidence=evidence,
        )
    return check(
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
        return check(
            "name_match",
            "pass",
            "El nombre de la MRZ coincide con el registrado.",
            mrz.confidence,
            evidence=evidence,
        )
    return check(
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
        "documento": iso(field.value),
        "registro": reg.isoformat(),
        "metodo": where(field),
    }
    if not usable(field, policy):
        return check(
            "birthdate_match",
            "inconclusive",
            "No se pudo leer la fecha de nacimiento.",
            None,
            evidence=evidence,
        )
    if field.value == reg:
        return check(
            "birthdate_match",
            "pass",
            "La fecha de nacimiento coincide.",
            field.confidence,
            evidence=evidence,
        )
    return check(
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
    evidence = {"documento": field.value, "registro": reg, "metodo": where(field)}
    if not usable(field, policy):
        return check(
            "sex_match",
            "inconclusive",
            "No se pudo leer el sexo del documento.",
            None,
            evidence=evidence,
        )
    if field.value == reg:
        return check(
            "sex_match",
            "pass",
            "El sexo coincide con el registrado.",
            field.confidence,
            evidence=evidence,
        )
    return check(
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
        "vigencia_hasta": iso(field.value),
        "enviado": submitted.isoformat(),
        "metodo": where(field),
    }
    if not usable(field, policy) or not isinstance(field.value, dt.date):
        return check(
            "id_expiry", "inconclusive", "No se pudo leer la vigencia.", None, evidence=evidence
        )
    if field.value >= submitted:
        return check(
            "id_expiry",
            "pass",
            "La identificación está vigente.",
            field.confidence,
            evidence=evidence,
        )
    return check(
        "id_expiry",
        "fail",
        f"La identificación venció el {field.value.isoformat()}.",
        1 - field.confidence,
        [ReasonCode.ID_EXPIRED],
        evidence=evidence,
    )


# --- extracted -----------------------------------------------------------------------------


def id_extracted(reading: IdReading) -> dict[str, object]:
    """The ``id.*`` keys of :class:`models.verdict.Extracted` (None when not read)."""
    return {
        "id.curp": reading.curp.value,
        "id.nombre": reading.nombre.value,
        "id.primer_apellido": reading.primer_apellido.value,
        "id.segundo_apellido": reading.segundo_apellido.value,
        "id.fecha_nacimiento": iso(reading.fecha_nacimiento.value),
        "id.sexo": reading.sexo.value,
        "id.vigencia_hasta": iso(reading.vigencia_hasta.value),
        "id.clave_elector": reading.clave_elector.value,
        "id.numero_documento": reading.numero_documento.value,
        "id.mrz_valid": None if reading.mrz is None else reading.mrz.valid,
    }
