"""The last stage: from checks to one decision, a confidence and explanations.

Routing follows the case contract (``models.codes.route``): ``resubmit`` when only reasons the
person can fix by uploading again apply, ``review`` when any other reason applies, ``verified``
only when every check passes. An inconclusive check without a reason of its own gets the reason
the policy's ``[routing.inconclusive]`` table names for it, looked up first as
``"<check>.<evidence zone>"`` then as ``"<check>"`` (e.g. ``"face_match.grey"``: a face in the
grey zone is reviewed as a possible ``FACE_MISMATCH``, while a face match that could not be
computed at all is not); with no entry there, it sends the case to review.

Confidence is the probability that the identity is genuine and consistent: the product of the
checks' scores, each the calibrated probability that its own evidence is genuine (the face
match probability from the fitted calibration, a field's read confidence times its agreement).
Treating the checks as independent evidence, the product is the probability that all of them
hold. Checks without a score count as 1 when they pass and as the policy's
``confidence.fail_score`` / ``confidence.inconclusive_score`` otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from models import Case, Check, Decision, Extracted, ReasonCode, Verdict, route
from models.uploads import UploadStatus
from pipeline.explain import explain
from pipeline.policy import Policy
from pipeline.version import PIPELINE_VERSION

FILE_PROBLEMS_ES = {
    "missing": "falta el archivo",
    "empty": "el archivo está vacío",
    "too_large": "el archivo excede el tamaño permitido",
    "too_many_pixels": "la imagen excede la resolución permitida",
    "not_an_image": "no es una imagen ni un PDF",
    "image_corrupt": "la imagen está dañada o truncada",
    "pdf_encrypted": "el PDF está cifrado",
    "pdf_malformed": "el PDF está dañado",
    "pdf_empty": "el PDF no tiene páginas",
    "pdf_too_many_pages": "el PDF tiene demasiadas páginas",
    "pdf_page_too_large": "las páginas del PDF exceden el tamaño permitido",
    "unsupported_format": "formato no admitido (use JPG, PNG, HEIC o PDF)",
}


def files_check(uploads: Mapping[str, UploadStatus]) -> Check:
    """``FILE_INVALID`` when any upload could not be decoded."""
    bad = {role: up.problem for role, up in uploads.items() if not up.ok}
    if not bad:
        formats = {role: up.source_format for role, up in uploads.items()}
        return Check(
            name="files",
            status="pass",
            score=1.0,
            detail="Archivos válidos",
            evidence={"formats": formats},
        )
    detail = "; ".join(f"{role}: {FILE_PROBLEMS_ES.get(p, p)}" for role, p in sorted(bad.items()))
    return Check(
        name="files",
        status="fail",
        score=0.0,
        detail=detail,
        reasons=[ReasonCode.FILE_INVALID],
        evidence={"problems": bad},
    )


def collect_reasons(checks: list[Check], policy: Policy) -> list[ReasonCode]:
    """Every reason the checks give, in check order, without repeats."""
    inconclusive = _inconclusive_table(policy)
    reasons: list[ReasonCode] = []
    for check in checks:
        found = list(check.reasons)
        if check.status == "inconclusive" and not found:
            zone_key = f"{check.name}.{check.evidence.get('zone')}"
            mapped = inconclusive.get(zone_key) or inconclusive.get(check.name)
            found = [ReasonCode(mapped)] if mapped else []
        reasons.extend(r for r in found if r not in reasons)
    return reasons


def confidence(checks: list[Check], policy: Policy) -> float:
    """The product of the checks' scores (see the module docstring), in [0, 1]."""
    fail = policy.number("confidence.fail_score")
    unsure = policy.number("confidence.inconclusive_score")
    log_total = 0.0
    for check in checks:
        score = check.score
        if score is None:
            score = {"pass": 1.0, "fail": fail}.get(check.status, unsure)
        log_total += math.log(min(max(score, 1e-6), 1.0))
    return round(math.exp(log_total), 4)


def decide(
    case: Case,
    checks: list[Check],
    extracted: dict[str, Any],
    policy: Policy,
    timings_ms: dict[str, float],
) -> Verdict:
    """The verdict of a case from its checks."""
    reasons = collect_reasons(checks, policy)
    decision = route(reasons)
    unresolved = [c for c in checks if c.status != "pass" and not c.reasons]
    if decision is Decision.VERIFIED and any(c.name not in _ignorable(policy) for c in unresolved):
        decision = Decision.REVIEW
    return Verdict(
        submission_id=case.submission_id,
        account_id=case.account_id,
        decision=decision,
        confidence=confidence(checks, policy),
        reasons=reasons,
        checks=checks,
        extracted=Extracted.model_validate(extracted),
        explanations=explain(reasons, checks),
        pipeline_version=PIPELINE_VERSION,
        policy_version=policy.version,
        timings_ms=timings_ms,
        decided_at=dt.datetime.now(dt.UTC),
    )


def _inconclusive_table(policy: Policy) -> dict[str, str]:
    table = policy.data.get("routing", {}).get("inconclusive", {})
    return {str(k): str(v) for k, v in table.items()}


def _ignorable(policy: Policy) -> set[str]:
    return set(policy.data.get("routing", {}).get("ignore_inconclusive", []))
