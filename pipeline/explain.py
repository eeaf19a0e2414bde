"""What each reason means: a short Spanish message for the citizen, and the reviewer's account.

Citizen messages say what to upload again and why (resubmit) or that a person will review the
case (review). They never accuse: fraud is decided by people, never by the pipeline.
"""

from __future__ import annotations

from models import Check, Explanation, ReasonCode

R = ReasonCode

CITIZEN_MESSAGES: dict[ReasonCode, str] = {
    R.FACE_MISMATCH: (
        "No pudimos confirmar que la persona de la selfie sea la misma de la identificación. "
        "Una persona revisará tu solicitud."
    ),
    R.CURP_MISMATCH: (
        "La CURP de tu identificación no coincide con la que registraste. "
        "Una persona revisará tu solicitud."
    ),
    R.NAME_MISMATCH: (
        "El nombre de tu identificación no coincide con el que registraste. "
        "Una persona revisará tu solicitud."
    ),
    R.BIRTHDATE_MISMATCH: (
        "La fecha de nacimiento de tu identificación no coincide con la que registraste. "
        "Una persona revisará tu solicitud."
    ),
    R.SEX_MISMATCH: (
        "El sexo indicado en tu identificación no coincide con el que registraste. "
        "Una persona revisará tu solicitud."
    ),
    R.CURP_INVALID: (
        "La CURP no es válida (su estructura o dígito verificador no corresponde). "
        "Una persona revisará tu solicitud."
    ),
    R.MRZ_INCONSISTENT: (
        "Los datos del reverso de tu identificación no concuerdan con los del frente. "
        "Una persona revisará tu solicitud."
    ),
    R.ID_EXPIRED: (
        "Tu identificación está vencida. Sube una credencial para votar o un pasaporte vigente."
    ),
    R.ID_UNREADABLE: (
        "No pudimos leer tu identificación. Vuelve a fotografiarla completa, con buena luz, "
        "sin reflejos y enfocada."
    ),
    R.ADDRESS_PROOF_STALE: (
        "Tu comprobante de domicilio tiene más de tres meses. Sube uno reciente "
        "(luz, teléfono, agua, gas o predial)."
    ),
    R.ADDRESS_MISMATCH: (
        "El domicilio del comprobante no coincide con el que registraste. "
        "Una persona revisará tu solicitud."
    ),
    R.ADDRESS_PROOF_UNREADABLE: (
        "No pudimos leer tu comprobante de domicilio. Sube el PDF original o una foto completa, "
        "enfocada y con buena luz."
    ),
    R.DOCUMENT_TYPE_MISMATCH: (
        "Uno de los archivos no es el documento solicitado. Revisa que cada archivo corresponda "
        "a lo que se pide (identificación, comprobante de domicilio, selfie)."
    ),
    R.SELFIE_NO_FACE: (
        "No encontramos un rostro en tu selfie. Tómala de frente, con el rostro completo y visible."
    ),
    R.SELFIE_MULTIPLE_FACES: ("Tu selfie muestra más de una persona. Tómala tú solo, de frente."),
    R.SELFIE_QUALITY: (
        "Tu selfie no tiene la calidad necesaria. Tómala de frente, con buena luz, sin lentes "
        "oscuros ni cubrebocas, y enfocada."
    ),
    R.DUPLICATE_IDENTITY: (
        "Encontramos una coincidencia con otra cuenta. Una persona revisará tu solicitud."
    ),
    R.FILE_INVALID: (
        "Uno de los archivos está dañado o no tiene un formato válido. Súbelo de nuevo en JPG, "
        "PNG o PDF."
    ),
}


def explain(reasons: list[ReasonCode], checks: list[Check]) -> list[Explanation]:
    """One explanation per reason: the citizen message and the evidence of the checks behind it."""
    return [
        Explanation(
            reason=reason, citizen=CITIZEN_MESSAGES[reason], reviewer=_reviewer(reason, checks)
        )
        for reason in reasons
    ]


def _reviewer(reason: ReasonCode, checks: list[Check]) -> str:
    details = [f"{check.name}: {check.detail}" for check in checks if reason in check.reasons]
    return " | ".join(details) or reason.value


def unresolved(checks: list[Check]) -> list[str]:
    """The reviewer's account of a case sent to review without a reason: each check that did
    not pass and gave no reason code, with what it read and what it was compared with (a
    field not read or read doubtfully is never turned into a mismatch reason, so this is the
    only place the reviewer learns what to look at).

    >>> unresolved([Check(name="curp_match", status="inconclusive", detail="No se pudo leer "
    ...     "la CURP del documento.", evidence={"documento": None, "registro": "XAXX010101HDFXXX09"})])
    ['curp_match: No se pudo leer la CURP del documento. (documento: —; registro: XAXX010101HDFXXX09)']
    """
    return [
        f"{check.name}: {check.detail}" + _compared(check)
        for check in checks
        if check.status != "pass" and not check.reasons
    ]


#: evidence keys that name what a field check read and compared it with
_COMPARED = ("documento", "registro", "mrz", "distance", "zone")


def _compared(check: Check) -> str:
    shown = [
        f"{key}: {'—' if check.evidence.get(key) in (None, '') else check.evidence[key]}"
        for key in _COMPARED
        if key in check.evidence
    ]
    return f" ({'; '.join(shown)})" if shown else ""
