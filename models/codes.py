"""Decisions and reason codes: the closed vocabularies a verdict speaks in."""

from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):
    """What the backend does with a submission."""

    VERIFIED = "verified"
    REVIEW = "review"
    RESUBMIT = "resubmit"


class ReasonCode(StrEnum):
    """Why a submission was not verified. Exactly the codes of the case contract."""

    FACE_MISMATCH = "FACE_MISMATCH"
    CURP_MISMATCH = "CURP_MISMATCH"
    NAME_MISMATCH = "NAME_MISMATCH"
    BIRTHDATE_MISMATCH = "BIRTHDATE_MISMATCH"
    SEX_MISMATCH = "SEX_MISMATCH"
    CURP_INVALID = "CURP_INVALID"
    MRZ_INCONSISTENT = "MRZ_INCONSISTENT"
    ID_EXPIRED = "ID_EXPIRED"
    ID_UNREADABLE = "ID_UNREADABLE"
    ADDRESS_PROOF_STALE = "ADDRESS_PROOF_STALE"
    ADDRESS_MISMATCH = "ADDRESS_MISMATCH"
    ADDRESS_PROOF_UNREADABLE = "ADDRESS_PROOF_UNREADABLE"
    DOCUMENT_TYPE_MISMATCH = "DOCUMENT_TYPE_MISMATCH"
    SELFIE_NO_FACE = "SELFIE_NO_FACE"
    SELFIE_MULTIPLE_FACES = "SELFIE_MULTIPLE_FACES"
    SELFIE_QUALITY = "SELFIE_QUALITY"
    DUPLICATE_IDENTITY = "DUPLICATE_IDENTITY"
    FILE_INVALID = "FILE_INVALID"


#: Reasons the person can fix by uploading again; any other reason sends the case to review.
RESUBMIT_REASONS: frozenset[ReasonCode] = frozenset(
    {
        ReasonCode.ID_EXPIRED,
        ReasonCode.ID_UNREADABLE,
        ReasonCode.ADDRESS_PROOF_STALE,
        ReasonCode.ADDRESS_PROOF_UNREADABLE,
        ReasonCode.DOCUMENT_TYPE_MISMATCH,
        ReasonCode.SELFIE_NO_FACE,
        ReasonCode.SELFIE_MULTIPLE_FACES,
        ReasonCode.SELFIE_QUALITY,
        ReasonCode.FILE_INVALID,
    }
)


def route(reasons: list[ReasonCode] | set[ReasonCode] | frozenset[ReasonCode]) -> Decision:
    """Route a set of reasons per the case contract: review wins over resubmit.

    >>> route([])
    <Decision.VERIFIED: 'verified'>
    >>> route([ReasonCode.ID_EXPIRED, ReasonCode.SELFIE_QUALITY])
    <Decision.RESUBMIT: 'resubmit'>
    >>> route([ReasonCode.ID_EXPIRED, ReasonCode.FACE_MISMATCH])
    <Decision.REVIEW: 'review'>
    """
    if not reasons:
        return Decision.VERIFIED
    if all(reason in RESUBMIT_REASONS for reason in reasons):
        return Decision.RESUBMIT
    return Decision.REVIEW
