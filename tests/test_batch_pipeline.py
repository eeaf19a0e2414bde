"""The whole pipeline on a few committed fixture cases: fill the stage cache once, re-decide
under a policy that moves one face threshold, and check that the re-decision loaded no engine
and that ``compare`` lists exactly the cases the threshold moved.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.compare import compare_dirs
from analysis.report import face_distance, load_run
from pipeline.orchestrator import Context
from pipeline.policy import DEFAULT_POLICY_PATH, load_policy
from workers.batch import LazyEngines, run_batch
from workers.cache import DirectoryCache

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cases"
pytestmark = pytest.mark.skipif(
    not (FIXTURES / "labels.json").exists(), reason="needs the committed fixtures"
)


def _pick_cases(n_genuine: int = 4, n_other: int = 2) -> list[Path]:
    labels = json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8"))["cases"]
    genuine = [n for n, lab in sorted(labels.items()) if lab["expected_decision"] == "verified"]
    others = [n for n, lab in sorted(labels.items()) if lab["scenario"] == "face_mismatch"]
    return [FIXTURES / n for n in genuine[:n_genuine] + others[:n_other]]


def _policy_with(tmp: Path, version: str, match_max: float) -> Path:
    """The bundled policy with another ``faces.match_max_distance`` and version."""
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version\s*=.*$", f'version = "{version}"', text, count=1)
    text, replaced = re.subn(
        r"(?m)^match_max_distance\s*=\s*[0-9.]+", f"match_max_distance = {match_max}", text
    )
    assert replaced == 1, "policy.toml has one faces.match_max_distance"
    path = tmp / f"{version}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _context(policy_path: Path | None, cache: Path) -> Context:
    return Context(
        engines=LazyEngines(),  # type: ignore[arg-type]
        policy=load_policy(policy_path),
        cache=DirectoryCache(cache),
    )


def test_cached_redecision_under_a_moved_threshold(tmp_path: Path) -> None:
    cases, cache = _pick_cases(), tmp_path / "cache"
    first = _context(None, cache)
    assert all(not r.error for r in run_batch(cases, tmp_path / "a", first, workers=2))
    run_a = load_run(tmp_path / "a")
    old = load_policy().number("faces.match_max_distance")
    verified = {n: face_distance(v) for n, v in run_a.items() if v["decision"] == "verified"}
    measured = sorted(d for d in verified.values() if d is not None)
    assert measured, "at least one genuine fixture case is verified with a face distance"
    new = round(measured[-1] - 0.0005, 4)  # the most distant verified case(s) fall out
    assert new < old

    again = _context(_policy_with(tmp_path, "test-moved", new), cache)
    results = list(run_batch(cases, tmp_path / "b", again, workers=2, force=True))
    assert all(not r.error for r in results)
    assert not again.engines.loaded  # type: ignore[attr-defined]  # all stages came from the cache

    result = compare_dirs(tmp_path / "a", tmp_path / "b")
    expected = {n for n, d in verified.items() if d is not None and new < d <= old}
    assert {c.case for c in result.changes} == expected
    assert all(c.before == "verified" and c.after == "review" for c in result.changes)
    assert result.versions_b["policy"] == {"test-moved": len(cases)}
