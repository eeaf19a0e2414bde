"""The proof of address's checks: is it a bill, readable, recent, and at the registered
address; and its ``address.*`` extracted keys."""

from __future__ import annotations

import datetime as dt
import re
from difflib import SequenceMatcher

from models.case import Case
from models.codes import ReasonCode
from models.documents import AddressReading
from models.verdict import Check
from pipeline.check_record import check, iso
from pipeline.policy import Policy
from pipeline.text_lines import fold

#: what an ID upload is classified as (an ID given as proof of address)
ID_KINDS = ("ine_front", "ine_back", "passport")


# --- checks -------------------------------------------------------------------------------


def address_checks(case: Case, reading: AddressReading, policy: Policy) -> list[Check]:
    """The proof of address: is a bill, readable, recent, and at the registered address."""
    if reading.problem.startswith("upload_"):
        return [
            check(
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
        return check(
            "address_document_type",
            "fail",
            "El comprobante de domicilio es una identificación, no un recibo.",
            0.05,
            [ReasonCode.DOCUMENT_TYPE_MISMATCH],
            evidence=evidence,
        )
    if reading.kind == "bill" or reading.emisor.present:
        return check(
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
        return check(
            "address_document_type",
            "fail",
            "El documento se lee pero no parece un recibo de servicio.",
            0.1,
            [ReasonCode.DOCUMENT_TYPE_MISMATCH],
            evidence=evidence,
        )
    return check(
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
        return check(
            "address_readable",
            "fail",
            "El comprobante no se puede leer: " + ", ".join(problems) + ".",
            0.0,
            [ReasonCode.ADDRESS_PROOF_UNREADABLE],
            evidence=evidence,
        )
    return check(
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
        "fecha": iso(field.value),
        "base": reading.fecha_basis,
        "enviado": submitted.isoformat(),
        "max_dias": max_age,
    }
    if not field.present or not isinstance(field.value, dt.date):
        return check(
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
        return check(
            "address_recency",
            "fail",
            f"El comprobante tiene {age} días de antigüedad (máximo {max_age}).",
            1 - field.confidence,
            [ReasonCode.ADDRESS_PROOF_STALE],
            evidence=evidence,
        )
    if age < -policy.integer("address.max_future_days"):
        return check(
            "address_recency",
            "inconclusive",
            "La fecha del comprobante es posterior al envío; revisar.",
            None,
            evidence=evidence,
        )
    return check(
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
        return check(
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
        return check(
            "address_match",
            "fail",
            "El código postal del comprobante no coincide con el registrado.",
            1 - conf,
            [ReasonCode.ADDRESS_MISMATCH],
            evidence=evidence,
        )
    min_street = policy.number("address.street_min_similarity")
    if text and street_score < min_street and colonia_score < min_street:
        return check(
            "address_match",
            "fail",
            "La calle y la colonia del comprobante no coinciden con las registradas.",
            conf * max(street_score, colonia_score),
            [ReasonCode.ADDRESS_MISMATCH],
            evidence=evidence,
        )
    return check(
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


def address_extracted(reading: AddressReading) -> dict[str, object]:
    """The ``address.*`` keys of :class:`models.verdict.Extracted`."""
    return {
        "address.emisor": reading.emisor.value,
        "address.codigo_postal": reading.codigo_postal.value,
        "address.fecha": iso(reading.fecha.value),
    }
