"""The MRZ's checks: is it trusted, does it agree with what the card prints (birth date, sex,
expiry, names up to its truncation, document number, the passport's CURP prefix), and which
values differ. Used by :mod:`pipeline.document_checks`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from models.codes import ReasonCode
from models.documents import IdReading
from models.mrz import MrzResult, names_field_may_be_cut
from models.results import Reading, Source
from models.verdict import Check
from pipeline import curp as curp_rules
from pipeline import mrz as mrz_rules
from pipeline import names
from pipeline.check_record import check, usable
from pipeline.policy import Policy
from pipeline.text_lines import fold


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
    if usable(field, policy) or mrz is None or mrz_value is None:
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
        return check("mrz", "inconclusive", "No se encontró o no se pudo leer la zona MRZ.")
    evidence: dict[str, object] = {
        "formato": mrz.format,
        "digitos": dict(mrz.checks),
        "valida": mrz.valid,
        "reparada": mrz.repaired,
    }
    trusted = mrz.confidence >= policy.number("documents.mrz_min_confidence")
    if not mrz.valid:
        if not trusted:
            return check(
                "mrz",
                "inconclusive",
                "La MRZ se leyó con poca confianza y sus dígitos no verifican.",
                mrz.confidence,
                evidence=evidence,
            )
        failed = ", ".join(k for k, ok in mrz.checks.items() if not ok and k != "structure")
        if not failed:
            return check(
                "mrz",
                "inconclusive",
                "Los dígitos verificadores de la MRZ son correctos pero su formato no se leyó bien.",
                mrz.confidence,
                evidence=evidence,
            )
        return check(
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
        return check(
            "mrz",
            "fail",
            f"La MRZ no coincide con los datos impresos: {shown}.",
            0.1,
            [ReasonCode.MRZ_INCONSISTENT],
            evidence=evidence,
        )
    return check(
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
        return usable(field, policy) and field.printed

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
    printed_name = full_name(reading)
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
    if not usable(reading.curp, policy) or curp_rules.validate(value).problems:
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
    return any(_mrz_letters_agree(printed, read) for read in mrz_rules.filler_readings(field))


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


def full_name(reading: IdReading, printed_only: bool = False) -> str:
    parts = [reading.primer_apellido, reading.segundo_apellido, reading.nombre]
    if printed_only and any(not p.printed for p in parts if p.present):
        return ""
    return " ".join(str(p.value) for p in parts if p.present and p.value).strip()
