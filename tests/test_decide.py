"""Routing, inconclusive checks, confidence and explanations (pure, no engines)."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Case, Check, Decision, ReasonCode
from models.uploads import UploadStatus
from pipeline.decide import collect_reasons, confidence, decide, files_check
from pipeline.explain import CITIZEN_MESSAGES
from pipeline.policy import parse_policy
from tests.test_models import CASE

POLICY = parse_policy(
    """
version = "test-1"
[confidence]
fail_score = 0.02
inconclusive_score = 0.5
[routing]
ignore_inconclusive = ["duplicates"]
[routing.inconclusive]
"face_match.grey" = "FACE_MISMATCH"
"""
)
R = ReasonCode


def _check(name: str, status: str, reasons=(), score=None) -> Check:
    return Check(name=name, status=status, reasons=list(reasons), score=score)


def _decide(checks: list[Check]):
    return decide(Case.model_validate(CASE), checks, {}, POLICY, {"decode": 1.0})


def test_all_pass_is_verified() -> None:
    verdict = _decide([_check("a", "pass", score=0.99), _check("b", "pass")])
    assert verdict.decision is Decision.VERIFIED
    assert verdict.reasons == []
    assert verdict.confidence == pytest.approx(0.99)
    assert verdict.policy_version == "test-1"


def test_review_wins_over_resubmit() -> None:
    verdict = _decide(
        [_check("id", "fail", [R.ID_EXPIRED]), _check("curp", "fail", [R.CURP_MISMATCH])]
    )
    assert verdict.decision is Decision.REVIEW
    assert verdict.reasons == [R.ID_EXPIRED, R.CURP_MISMATCH]
    assert {e.reason for e in verdict.explanations} == set(verdict.reasons)


def test_only_fixable_reasons_resubmit() -> None:
    verdict = _decide(
        [_check("selfie", "fail", [R.SELFIE_NO_FACE]), _check("files", "fail", [R.FILE_INVALID])]
    )
    assert verdict.decision is Decision.RESUBMIT


def test_inconclusive_check_takes_the_policy_reason_of_its_zone() -> None:
    grey = Check(name="face_match", status="inconclusive", score=0.4, evidence={"zone": "grey"})
    assert collect_reasons([grey], POLICY) == [R.FACE_MISMATCH]
    not_compared = Check(name="face_match", status="inconclusive", evidence={})
    assert collect_reasons([not_compared], POLICY) == []


def test_unmapped_inconclusive_check_blocks_verified() -> None:
    verdict = _decide([_check("mystery", "inconclusive")])
    assert verdict.decision is Decision.REVIEW


def test_ignorable_inconclusive_check_does_not_block() -> None:
    assert _decide([_check("duplicates", "inconclusive")]).decision is Decision.VERIFIED


def test_confidence_is_the_product_of_scores() -> None:
    checks = [_check("a", "pass", score=0.9), _check("b", "fail"), _check("c", "inconclusive")]
    assert confidence(checks, POLICY) == pytest.approx(0.9 * 0.02 * 0.5, abs=1e-4)


def test_files_check_names_the_bad_role() -> None:
    uploads = {
        "selfie": UploadStatus(role="selfie", kind="invalid", problem="image_corrupt"),
        "id_front": UploadStatus(role="id_front", kind="image"),
    }
    check = files_check(uploads)
    assert check.reasons == [R.FILE_INVALID]
    assert "selfie" in check.detail


def test_every_reason_has_a_spanish_message() -> None:
    assert set(CITIZEN_MESSAGES) == set(ReasonCode)


def test_verdict_json_passes_the_contract() -> None:
    verdict = _decide([_check("a", "pass")])
    data = verdict.model_dump(mode="json", by_alias=True)
    assert data["extracted"]["face.distance"] is None
    assert dt.datetime.fromisoformat(data["decided_at"]).tzinfo is not None
