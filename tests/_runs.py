"""Synthetic batch runs for the analysis tests: labels plus verdicts made by ``pipeline.decide``.

Each case gets a scenario, a face distance drawn from the genuine or impostor distribution, and
checks like the stages would emit them; ``decide`` routes them under a given policy, so two runs
under policies that differ by one face threshold differ exactly where a distance falls between
the two values.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

from models import Case, Check, ReasonCode, Verdict
from pipeline.decide import decide
from pipeline.policy import Policy, parse_policy
from tests.test_models import CASE

R = ReasonCode
#: scenario -> (expected decision, reasons the checks give)
SCENARIOS: dict[str, tuple[str, list[ReasonCode]]] = {
    "genuine_ine": ("verified", []),
    "genuine_passport": ("verified", []),
    "face_mismatch": ("review", [R.FACE_MISMATCH]),
    "curp_mismatch": ("review", [R.CURP_MISMATCH]),
    "id_expired": ("resubmit", [R.ID_EXPIRED]),
    "address_stale": ("resubmit", [R.ADDRESS_PROOF_STALE]),
    "selfie_no_face": ("resubmit", [R.SELFIE_NO_FACE]),
}
STAGES = {"decode": 40.0, "id_document": 900.0, "address_proof": 1400.0, "faces": 600.0}


def policy(version: str, match_max: float = 0.5, mismatch_min: float = 0.6) -> Policy:
    """A policy with the two face thresholds (and what decide needs)."""
    return parse_policy(
        f"""
version = "{version}"
[faces]
match_max_distance = {match_max}
mismatch_min_distance = {mismatch_min}
[confidence]
fail_score = 0.02
inconclusive_score = 0.5
[routing]
ignore_inconclusive = []
[routing.inconclusive]
face_match = "FACE_MISMATCH"
"""
    )


def make_cases(n: int, seed: int = 1) -> tuple[dict[str, dict], dict[str, float | None]]:
    """``n`` labelled cases and their face distances (None when the selfie has no face)."""
    rng = random.Random(seed)
    names = list(SCENARIOS)
    labels, distances = {}, {}
    for i in range(n):
        scenario = names[i % len(names)]
        expected, reasons = SCENARIOS[scenario]
        name = f"case-{i:04d}-{scenario}"
        labels[name] = {
            "scenario": scenario,
            "expected_decision": expected,
            "expected_reasons": [str(r) for r in reasons],
            "readable": {"id": True, "address": True},
            "truth": {"id.curp": "X"},
        }
        if scenario == "selfie_no_face":
            distances[name] = None
        elif scenario == "face_mismatch":
            distances[name] = round(min(max(rng.gauss(0.70, 0.09), 0.0), 1.2), 4)
        else:
            distances[name] = round(min(max(rng.gauss(0.40, 0.09), 0.0), 1.2), 4)
    return labels, distances


def face_check(distance: float | None, pol: Policy) -> Check:
    """The face check as the faces stage words it (pass / grey zone / FACE_MISMATCH)."""
    if distance is None:
        return Check(name="face_match", status="inconclusive", detail="sin rostro")
    match_max = pol.number("faces.match_max_distance")
    mismatch_min = pol.number("faces.mismatch_min_distance")
    probability = round(1 / (1 + math.exp((distance - 0.55) * 14)), 4)
    evidence = {
        "distance": distance,
        "match_max_distance": match_max,
        "mismatch_min_distance": mismatch_min,
    }
    if distance <= match_max:
        return Check(name="face_match", status="pass", score=probability, evidence=evidence)
    if distance >= mismatch_min:
        return Check(
            name="face_match",
            status="fail",
            score=probability,
            evidence=evidence,
            reasons=[R.FACE_MISMATCH],
        )
    return Check(name="face_match", status="inconclusive", score=probability, evidence=evidence)


def make_verdict(label: dict, distance: float | None, pol: Policy, seed: int = 0) -> Verdict:
    """The verdict ``decide`` gives a case's checks under ``pol``."""
    rng = random.Random(seed)
    reasons = [R(r) for r in label["expected_reasons"] if r != "FACE_MISMATCH"]
    checks = [Check(name="files", status="pass", score=1.0)]
    checks += [Check(name=f"check_{r.lower()}", status="fail", reasons=[r]) for r in reasons]
    if label["scenario"] == "selfie_no_face":
        checks.append(Check(name="selfie", status="fail", reasons=[R.SELFIE_NO_FACE]))
    else:
        checks.append(Check(name="fields", status="pass", score=round(rng.uniform(0.9, 1.0), 3)))
        checks.append(face_check(distance, pol))
    timings = {stage: round(ms * rng.uniform(0.6, 1.8), 1) for stage, ms in STAGES.items()}
    extracted = {"face.distance": distance, "id.curp": "X"}
    verdict = decide(Case.model_validate(CASE), checks, extracted, pol, timings)
    return verdict.model_copy(update={"decided_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)})


def write_run(
    out: Path, labels: dict[str, dict], distances: dict[str, float | None], pol: Policy
) -> dict[str, str]:
    """Write ``out/<case>.json`` for every case; returns each case's decision."""
    out.mkdir(parents=True, exist_ok=True)
    decisions = {}
    for i, (name, label) in enumerate(sorted(labels.items())):
        verdict = make_verdict(label, distances[name], pol, seed=i)
        (out / f"{name}.json").write_text(verdict.to_json(), encoding="utf-8")
        decisions[name] = verdict.decision.value
    return decisions
