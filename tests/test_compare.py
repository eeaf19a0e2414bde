"""``compare``: two runs that differ by one face threshold, decided by ``pipeline.decide``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.compare import compare_dirs
from commands import main
from tests._runs import make_cases, policy, write_run

GREY_LOW, GREY_HIGH = 0.50, 0.55  # match_max_distance of run A, then of run B
FACE_ONLY = {"genuine_ine", "genuine_passport", "face_mismatch"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run A (match ≤ 0.50) and run B (match ≤ 0.55) over the same 70 cases."""
    root = tmp_path_factory.mktemp("compare")
    labels, distances = make_cases(70, seed=11)
    # make sure each kind of case sits between the two thresholds at least once
    by_scenario = {label["scenario"]: name for name, label in labels.items()}
    distances[by_scenario["genuine_ine"]] = 0.52
    distances[by_scenario["face_mismatch"]] = 0.53
    distances[by_scenario["curp_mismatch"]] = 0.54
    write_run(root / "a", labels, distances, policy("p-a", GREY_LOW, 0.6))
    write_run(root / "b", labels, distances, policy("p-b", GREY_HIGH, 0.6))
    (root / "labels.json").write_text(json.dumps({"cases": labels}), encoding="utf-8")
    return {"root": root, "labels": labels, "distances": distances}


def _between(runs: dict, scenarios: set[str] | None = None) -> set[str]:
    """Cases whose face distance falls in (0.50, 0.55]: the only ones the change can move."""
    return {
        name
        for name, d in runs["distances"].items()
        if d is not None
        and GREY_LOW < d <= GREY_HIGH
        and (scenarios is None or runs["labels"][name]["scenario"] in scenarios)
    }


def test_compare_lists_exactly_the_cases_the_threshold_moved(runs: dict) -> None:
    root = runs["root"]
    result = compare_dirs(root / "a", root / "b", runs["labels"])
    changed = {c.case for c in result.changes}
    # only face-only cases change decision (review -> verified); others keep their review
    assert changed == _between(runs, FACE_ONLY)
    assert all((c.before, c.after) == ("review", "verified") for c in result.changes)
    assert all("FACE_MISMATCH" in c.reasons_before for c in result.changes)
    assert set(result.reasons_only_changed) == _between(runs) - changed
    assert result.versions_a["policy"] == {"p-a": 70}
    assert result.versions_b["policy"] == {"p-b": 70}


def test_compare_exits_non_zero_when_false_verifies_rise(
    runs: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    root, labels = runs["root"], str(runs["root"] / "labels.json")
    code = main(["compare", str(root / "a"), str(root / "b"), "--labels", labels])
    out = capsys.readouterr().out
    assert code == 1
    impostors = _between(runs, {"face_mismatch"})
    assert f"false verifies (labelled, common cases): A 0 -> B {len(impostors)}: ROSE" in out
    for name in _between(runs, FACE_ONLY):
        assert f"  {name} [" in out
    assert "policy p-a (70)" in out and "policy p-b (70)" in out
    # the reverse change (tightening the threshold) passes the gate
    assert main(["compare", str(root / "b"), str(root / "a"), "--labels", labels]) == 0
    assert ": fell" in capsys.readouterr().out


def test_compare_without_labels_says_false_verifies_are_unknown(
    runs: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = str(runs["root"] / "a"), str(runs["root"] / "b")
    assert main(["compare", a, b]) == 0
    out = capsys.readouterr().out
    assert "false verifies: unknown without labels" in out
    assert f"{len(_between(runs, FACE_ONLY))} case(s) became verified" in out
    assert main(["compare", a, b, "--strict"]) == 1
    capsys.readouterr()
    assert main(["compare", b, a, "--strict"]) == 0


def test_identical_runs_change_nothing(runs: dict, capsys: pytest.CaptureFixture[str]) -> None:
    a = str(runs["root"] / "a")
    assert main(["compare", a, a, "--json", "--labels", str(runs["root"] / "labels.json")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"] == [] and data["false_verifies_rose"] is False
    assert data["common"] == 70


def test_compare_input_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "c1.json").write_text('{"decision": "review"}', encoding="utf-8")
    (tmp_path / "y" / "c2.json").write_text('{"decision": "review"}', encoding="utf-8")
    assert main(["compare", str(tmp_path / "x"), str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["compare", str(tmp_path / "x"), str(tmp_path / "y")]) == 2
    assert "no case in common" in capsys.readouterr().err
