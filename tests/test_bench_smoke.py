"""Smoke test of the benchmark harness (``python -m bench``): it runs end to end on two fixture
cases and its summaries compute what they say. Not a timing test: no figure is asserted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench import face_compare, mrz_compare, run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cases"
SMOKE_CASES = ("case-0008", "case-0009")  # a file_invalid case and a genuine passport


def _two_cases(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    labels = json.loads((FIXTURES / "labels.json").read_text())
    for name in SMOKE_CASES:
        shutil.copytree(FIXTURES / name, cases / name)
    labels["cases"] = {name: labels["cases"][name] for name in SMOKE_CASES}
    (cases / "labels.json").write_text(json.dumps(labels))
    return cases


def test_pipeline_pass_runs_and_reports(tmp_path: Path) -> None:
    results, doc = tmp_path / "results", tmp_path / "performance.md"
    doc.write_text("# Performance\n\nhand-written text\n")
    argv = [
        "--cases-dir",
        str(_two_cases(tmp_path)),
        "--work",
        str(tmp_path / "work"),
        "--workers",
        "1",
        "--skip",
        "faces,mrz",
        "--results",
        str(results),
        "--doc",
        str(doc),
    ]
    assert run.main(argv) == 0
    (written,) = results.glob("bench-*.json")
    result = json.loads(written.read_text())
    one = result["pipeline"]["1"]
    assert one["cases"] == 2 and not one["engine_errors"]
    assert {"decode", "id_document", "faces"} <= set(one["stages_cpu_ms"])
    assert all(mb > 50 for mb in one["peak_rss_mb_per_worker"].values())
    assert result["acceptance"]["case_p50_cpu_s"]["met"] in (True, False)
    assert result["acceptance"]["face_speedup"]["met"] is None  # skipped, said so
    text = doc.read_text()
    assert "hand-written text" in text and "#### Whole pipeline" in text
    assert run.main(argv + ["--reuse"]) == 0  # the second run rewrites, not appends, the section
    assert doc.read_text().count("#### Whole pipeline") == 1


def test_face_summary_counts_accepts_and_ratios() -> None:
    rows = [
        _face_row("genuine", "pass", "pass", 0.5, 5.0),
        _face_row("genuine", "inconclusive", "fail", 0.5, 5.0),
        _face_row("impostor", "fail", "pass", 1.0, 10.0),
    ]
    summary = face_compare.summarise(rows)
    assert summary["speedup_cpu_s"] == 10.0
    assert summary["ours"]["genuine_accepted"] == "1/2" and summary["ours"]["grey_zone"] == 1
    assert summary["ours"]["accuracy"] == round(2 / 3, 4)
    assert summary["fr"]["impostor_rejected"] == "0/1" and summary["fr"]["accuracy"] == round(
        1 / 3, 4
    )


def _face_row(kind: str, ours: str, fr: str, ours_s: float, fr_s: float) -> dict[str, object]:
    return {
        "kind": kind,
        "selfie_upscaled": True,
        "ours": ours,
        "fr": fr,
        "ours_cpu_s": ours_s,
        "ours_wall_s": ours_s,
        "fr_cpu_s": fr_s,
        "fr_wall_s": fr_s,
    }


def test_mrz_summary_read_rates_and_ratio() -> None:
    rows = [
        {
            "ours_valid": True,
            "pe_valid": False,
            "ours_cpu_s": 1.0,
            "pe_cpu_s": 2.0,
            "ours_wall_s": 1.0,
            "pe_wall_s": 2.0,
        },
        {
            "ours_valid": True,
            "pe_valid": True,
            "ours_cpu_s": 1.0,
            "pe_cpu_s": 4.0,
            "ours_wall_s": 1.0,
            "pe_wall_s": 4.0,
        },
    ]
    summary = mrz_compare.summarise(rows)
    assert (summary["ours_read"], summary["pe_read"], summary["speedup_cpu_s"]) == (2, 1, 3.0)
