"""Stage: has this face already verified another account? (1:N search in the gallery).

A selfie whose encoding is within ``duplicates.match_max_distance`` of a verified account's
template with a *different* CURP is ``DUPLICATE_IDENTITY`` (the rules cancel accounts obtained
by impersonation). The same CURP is the same person re-verifying (e.g. a new account after a
cancellation), not a duplicate; the account itself is skipped.
"""

from __future__ import annotations

from typing import Any

from models.case import Case
from models.codes import ReasonCode
from models.faces import FaceReading
from models.verdict import Check
from pipeline.face_checks import match_probability
from pipeline.gallery import Gallery, GalleryHit
from pipeline.policy import Policy

NAME = "duplicate_identity"


def duplicate_check(
    reading: FaceReading, case: Case, gallery: Gallery | None, policy: Policy
) -> Check:
    """Search the selfie's face among verified accounts."""
    if gallery is None:
        return Check(
            name=NAME,
            status="pass",
            score=None,
            detail="Sin galería configurada: no se buscaron duplicados.",
            evidence={"searched": False},
        )
    encoding = reading.selfie.encoding
    if encoding is None:
        return Check(
            name=NAME,
            status="inconclusive",
            score=None,
            detail="No se buscaron duplicados: la selfie no tiene un rostro medible.",
            evidence={"searched": False},
        )
    limit = policy.number("duplicates.match_max_distance")
    hits = gallery.search(encoding, k=policy.integer("duplicates.top_k") + 1, radius=limit)
    close = [hit for hit in hits if hit.account_id != case.account_id]
    foreign = [hit for hit in close if not _same_curp(hit, case)]
    evidence: dict[str, Any] = {
        "searched": True,
        "gallery_size": len(gallery),
        "match_max_distance": limit,
        "within_distance": [
            _hit_evidence(hit, case) for hit in close[: policy.integer("duplicates.top_k")]
        ],
    }
    if foreign:
        best = foreign[0]
        return Check(
            name=NAME,
            status="fail",
            score=1.0 - match_probability(best.distance),
            reasons=[ReasonCode.DUPLICATE_IDENTITY],
            evidence=evidence,
            detail=f"El rostro coincide con la cuenta verificada {best.account_id} registrada con "
            f"otra CURP (distancia {best.distance:.3f}).",
        )
    note = " (misma CURP: re-verificación de la misma persona)" if close else ""
    return Check(
        name=NAME,
        status="pass",
        score=1.0,
        evidence=evidence,
        detail=f"El rostro no coincide con otra cuenta verificada{note}.",
    )


def _same_curp(hit: GalleryHit, case: Case) -> bool:
    return hit.curp.strip().upper() == case.registration.curp.strip().upper()


def _hit_evidence(hit: GalleryHit, case: Case) -> dict[str, Any]:
    """A neighbour for the reviewer: its account and submission, never the CURP itself."""
    return {
        "account_id": hit.account_id,
        "submission_id": hit.submission_id,
        "distance": round(hit.distance, 4),
        "same_curp": _same_curp(hit, case),
    }
