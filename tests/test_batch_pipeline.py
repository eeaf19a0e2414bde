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


def _pick_cases(n_genuine: int = 3, n_other: int = 1) -> list[Path]:
    labels = json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8"))["cases"]
    genuine = [n for n, lab in sorted(labels.items()) if lab["expected_decision"] == "verified"]
    others = [n for n, lab in sorted(labels.items()) if lab["scenario"] == "face_mismatch"]
    return [FIXTURES / n for n in genuine[:n_genuine] + others[:n_other]]


def _policy(tmp: Path, version: str, match_max: float | None = None) -> Path:
    """The bundled policy, a grey-zone face reviewed as FACE_MISMATCH, optionally another
    ``faces.match_max_distance``; under a new version."""
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version\s*=.*$", f'version = "{version}"', text, count=1)
    if not re.search(r"(?m)^face_match\s*=", text):
        text = text.replace(
            "[routing.inconclusive]\n", '[routing.inconclusive]\nface_match = "FACE_MISMATCH"\n'
        )
    if match_max is not None:
        head, faces = text.split("\n[faces]\n", 1)
        section, rest = faces.split("\n[", 1)
        section, replaced = re.subn(
            r"(?m)^match_max_distance\s*=\s*[0-9.]+", f"match_max_distance = {match_max}", section
        )
        assert replaced == 1, "policy.toml's [faces] has match_max_distance"
        text = f"{head}\n[faces]\n{section}\n[{rest}"
    path = tmp / f"{version}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _context(policy_path: Path, cache: Path) -> Context:
    return Context(
        engines=LazyEngines(),  # type: ignore[arg-type]
        policy=load_policy(policy_path),
        cache=DirectoryCache(cache),
    )


def _face_status(verdict: dict) -> str | None:
    return next((c["status"] for c in verdict["checks"] if c["name"] == "face_match"), None)


def test_cached_redecision_under_a_moved_threshold(tmp_path: Path) -> None:
    cases, cache = _pick_cases(), tmp_path / "cache"
    first = _context(_policy(tmp_path, "test-a"), cache)
    assert all(not r.error for r in run_batch(cases, tmp_path / "a", first, workers=2))
    run_a = load_run(tmp_path / "a")
    old = first.policy.number("faces.match_max_distance")
    matched = {n: face_distance(v) for n, v in run_a.items() if _face_status(v) == "pass"}
    assert matched, "the face stage matches at least one genuine fixture case"
    new = round(max(d for d in matched.values() if d is not None) - 0.0005, 4)
    moved = {n for n, d in matched.items() if d is not None and new < d <= old}

    again = _context(_policy(tmp_path, "test-b", new), cache)
    results = list(run_batch(cases, tmp_path / "b", again, workers=2, force=True))
    assert all(not r.error for r in results)
    assert not again.engines.loaded  # type: ignore[attr-defined]  # stages came from the cache

    result = compare_dirs(tmp_path / "a", tmp_path / "b")
    # a moved case's face check turns inconclusive -> FACE_MISMATCH: review wins over anything
    changed = {n for n in moved if run_a[n]["decision"] != "review"}
    assert {c.case for c in result.changes} == changed
    assert all(c.after == "review" and "FACE_MISMATCH" in c.reasons_after for c in result.changes)
    assert set(result.reasons_only_changed) == moved - changed
    assert result.versions_b["policy"] == {"test-b": len(cases)}
