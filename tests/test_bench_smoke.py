"""Smoke test of the benchmark harness (``python -m bench``): it runs end to end on two fixture
cases and its summaries compute what they say. Not a timing test: no figure is asserted."""

from __future__ import annotations

import doctest
import json
import shutil
from pathlib import Path

from bench import face_compare, groups, mrz_compare, run, summarise

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
    _assert_per_family(result, text)
    assert run.main(argv + ["--reuse"]) == 0  # the second run rewrites, not appends, the section
    assert doc.read_text().count("#### Whole pipeline") == 1
    assert doc.read_text().count("| family | cases | id_document ms p50 / p95") == 1


def _assert_per_family(result: dict[str, object], text: str) -> None:
    """The two smoke cases are an ``ine_2014`` INE and a ``passport_2008`` passport."""
    one = result["pipeline"]["1"]  # type: ignore[index]
    assert set(one["by_family"]) == {"ine_2014", "passport_2008"}
    assert set(one["by_id_type"]) == {"ine", "passport"}
    for group in one["by_family"].values():
        assert group["cases"] == 1
        assert set(group["stages_cpu_ms"]) == {"id_document", "address_proof"}
        assert group["stages_cpu_ms"]["id_document"]["n"] == 1
    missing = result["families_missing"]
    assert "ine_2019" in missing and "ine_2014" not in missing  # type: ignore[operator]
    assert "| family | cases | id_document ms p50 / p95 | address_proof ms p50 / p95" in text
    assert "| ID type | cases |" in text
    assert "| ine_2014 | 1 | " in text and "| passport | 1 | " in text
    assert "| ine_2019 | 0 (not in the set) |" in text
    acceptance = result["acceptance"]
    assert acceptance["id_stage_p50_cpu_ms_worst_family"]["met"] in (True, False)  # type: ignore[index]


def test_stage_cpu_is_split_by_the_labels_family_and_id_type() -> None:
    rows = [_case_row("a", 100.0, 900.0), _case_row("b", 300.0, 500.0), _case_row("c", 700.0, 0.0)]
    labels = {
        "a": {"family": "ine_2019", "id_type": "ine", "expected_decision": "verified"},
        "b": {"family": "ine_2019", "id_type": "ine", "expected_decision": "verified"},
        "c": {"family": "passport_2021", "id_type": "passport", "expected_decision": "verified"},
    }
    split = groups.grouped(rows, labels)
    ine = split["by_family"]["ine_2019"]
    assert ine["cases"] == 2 and ine["stages_cpu_ms"]["id_document"]["p50"] == 200.0
    assert ine["stages_cpu_ms"]["address_proof"]["p95"] == 880.0
    assert split["by_id_type"]["passport"]["case_cpu_s"]["p50"] == 1.0
    assert groups.worst(split["by_family"], "id_document", "p50") == ("passport_2021", 700.0)
    unlabelled = groups.grouped(rows, {"a": labels["a"]})["by_family"]
    assert unlabelled["(unlabelled)"]["cases"] == 2
    record = {
        "workers": 1,
        "records": rows,
        "wall_s": 3.0,
        "parent_rss_after_load_mb": 1.0,
        "load_wall_s": 0.0,
        "load_cpu_s": 0.0,
    }
    checks = summarise.acceptance({"pipeline": {"1": summarise.pass_figures(record, labels)}})
    assert checks["id_stage_p50_cpu_ms_worst_family"]["met"] is False  # 700 ms > 500 ms
    assert checks["id_stage_p95_cpu_ms_worst_family"]["met"] is True


def _case_row(case: str, id_ms: float, address_ms: float) -> dict[str, object]:
    stages = {"decode": 1.0, "id_document": id_ms, "address_proof": address_ms}
    return {
        "case": case,
        "pid": 1,
        "wall_s": 1.0,
        "cpu_s": 1.0,
        "stages_wall_ms": stages,
        "stages_cpu_ms": stages,
        "decision": "verified",
        "vm_hwm_kb": 1024,
    }


def test_group_doctests() -> None:
    failed, attempted = doctest.testmod(groups)
    assert attempted >= 3 and failed == 0


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
