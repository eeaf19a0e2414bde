"""Every face scenario of the committed fixtures is routed as labelled by the face checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.codes import ReasonCode
from pipeline.face_checks import face_checks
from pipeline.faces import read_faces
from pipeline.uploads import decode_upload

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "cases"
FACE_SCENARIOS = ("face_mismatch", "selfie_no_face", "selfie_multiple_faces")


def _face_cases() -> list[tuple[str, str]]:
    labels_file = CASES / "labels.json"
    if not labels_file.is_file():
        return []
    labels = json.loads(labels_file.read_text())["cases"]
    chosen = [
        (n, v["scenario"]) for n, v in sorted(labels.items()) if v["scenario"] in FACE_SCENARIOS
    ]
    genuine = [
        (n, v["scenario"]) for n, v in sorted(labels.items()) if v["scenario"].startswith("genuine")
    ]
    return chosen + genuine[:4]


@pytest.mark.skipif(not _face_cases(), reason="no fixtures/cases with labels.json")
@pytest.mark.parametrize(("case", "scenario"), _face_cases())
def test_face_scenario_routing(case, scenario, engines, policy):
    folder = CASES / case
    documents = json.loads((folder / "case.json").read_text())["documents"]
    reading = read_faces(
        decode_upload("id_front", (folder / documents["id_front"]).read_bytes()),
        decode_upload("selfie", (folder / documents["selfie"]).read_bytes()),
        engines.faces,
    )
    checks = {check.name: check for check in face_checks(reading, policy)}
    reasons = {reason for check in checks.values() for reason in check.reasons}
    match = checks["face_match"]
    if scenario.startswith("genuine"):
        assert not reasons and match.status == "pass", match.detail
    elif scenario == "face_mismatch":  # mismatch zone, or grey zone (human review); never a match
        assert reasons <= {ReasonCode.FACE_MISMATCH} and match.status != "pass", match.detail
    elif scenario == "selfie_no_face":
        assert reasons == {ReasonCode.SELFIE_NO_FACE}
    else:
        assert reasons == {ReasonCode.SELFIE_MULTIPLE_FACES}
