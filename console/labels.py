"""Spanish labels the console shows: reasons, causes, actions, statuses, fields."""

from __future__ import annotations

from models.codes import ReasonCode

R = ReasonCode

#: reason code -> short Spanish label for the queue and the case page
REASON_LABELS: dict[str, str] = {
    R.FACE_MISMATCH: "El rostro no coincide",
    R.CURP_MISMATCH: "CURP distinta a la registrada",
    R.NAME_MISMATCH: "Nombre distinto al registrado",
    R.BIRTHDATE_MISMATCH: "Fecha de nacimiento distinta",
    R.SEX_MISMATCH: "Sexo distinto al registrado",
    R.CURP_INVALID: "CURP inválida",
    R.MRZ_INCONSISTENT: "Zona MRZ inconsistente",
    R.ID_EXPIRED: "Identificación vencida",
    R.ID_UNREADABLE: "Identificación ilegible",
    R.ADDRESS_PROOF_STALE: "Comprobante con más de 3 meses",
    R.ADDRESS_MISMATCH: "Domicilio distinto al registrado",
    R.ADDRESS_PROOF_UNREADABLE: "Comprobante ilegible",
    R.DOCUMENT_TYPE_MISMATCH: "Documento de tipo incorrecto",
    R.SELFIE_NO_FACE: "Selfie sin rostro",
    R.SELFIE_MULTIPLE_FACES: "Selfie con varias personas",
    R.SELFIE_QUALITY: "Selfie de baja calidad",
    R.DUPLICATE_IDENTITY: "Posible identidad duplicada",
    R.FILE_INVALID: "Archivo dañado o no válido",
}

#: rejection causes of the Llave CDMX rules: code -> label
REJECT_CAUSES: dict[str, str] = {
    "informacion_no_veraz": "Información no veraz",
    "documentacion_apocrifa": "Documentación apócrifa",
    "suplantacion_identidad": "Suplantación o usurpación de identidad",
    "requisitos_no_cumplidos": "Requisitos legales no cumplidos",
}

#: reviewer action -> (account status it sets, Spanish label)
ACTIONS: dict[str, tuple[str, str]] = {
    "approve": ("verified", "Aprobada"),
    "reject": ("rejected", "Rechazada"),
    "resubmit": ("resubmit", "Reenvío solicitado"),
}

#: audit log action -> Spanish label
AUDIT_ACTIONS: dict[str, str] = {
    "approve": "Aprobación",
    "reject": "Rechazo",
    "resubmit": "Solicitud de reenvío",
    "claim": "Toma de caso",
    "release": "Liberación de caso",
    "reassign": "Reasignación de caso",
    "user_add": "Alta de usuario",
}

ROLE_LABELS: dict[str, str] = {"reviewer": "Revisor(a)", "supervisor": "Supervisor(a)"}

DOCUMENT_LABELS: dict[str, str] = {
    "id_front": "Identificación (frente)",
    "id_back": "Identificación (reverso)",
    "address_proof": "Comprobante de domicilio",
    "selfie": "Selfie",
}

CHECK_STATUS_LABELS: dict[str, str] = {
    "pass": "Aprobada",
    "fail": "Fallida",
    "inconclusive": "No concluyente",
}

DECISION_LABELS: dict[str, str] = {
    "verified": "Verificada",
    "review": "Revisión humana",
    "resubmit": "Reenvío",
    "rejected": "Rechazada",
}


def reason_label(code: str) -> str:
    """The Spanish label of a reason code, or the code itself when unknown.

    >>> reason_label("FACE_MISMATCH")
    'El rostro no coincide'
    >>> reason_label("SOMETHING_NEW")
    'SOMETHING_NEW'
    """
    return REASON_LABELS.get(code, code)
