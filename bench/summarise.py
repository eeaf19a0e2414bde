"""Figures from the raw pass records: stage percentiles (overall, per layout family and per ID
type), latency, throughput, memory, targets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from bench import groups
from bench.measure import summary

TARGETS = {
    "case_p50_cpu_s": 1.5,
    "scaling_2_workers": 1.8,
    "peak_rss_mb": 500.0,
    "face_speedup": 10.0,
    "mrz_speedup": 3.0,
    "id_stage_p50_cpu_ms": 500.0,
    "id_stage_p95_cpu_ms": 1200.0,
}
#: issue 17's ID stage targets: every family's, not only the whole set's
FAMILY_TARGETS = {"p50": "id_stage_p50_cpu_ms", "p95": "id_stage_p95_cpu_ms"}


def pass_figures(record: dict[str, Any], labels: dict[str, Any] | None) -> dict[str, Any]:
    """Per-stage and per-case percentiles, throughput and peak RSS of one pass."""
    rows = [r for r in record["records"] if "error" not in r]
    errors = [r["case"] for r in record["records"] if "error" in r]
    stages = sorted({stage for r in rows for stage in r["stages_wall_ms"]})
    cpu_mean = sum(r["cpu_s"] for r in rows) / max(1, len(rows))
    workers = record["workers"]
    return {
        "workers": workers,
        "cases": len(rows),
        "partial": bool(record.get("partial", False)),
        "engine_errors": errors,
        "case_wall_s": summary([r["wall_s"] for r in rows]),
        "case_cpu_s": summary([r["cpu_s"] for r in rows]),
        "stages_wall_ms": {
            s: summary([r["stages_wall_ms"].get(s, 0.0) for r in rows]) for s in stages
        },
        "stages_cpu_ms": {
            s: summary([r["stages_cpu_ms"].get(s, 0.0) for r in rows]) for s in stages
        },
        "throughput_wall_cases_per_hour": round(len(rows) / record["wall_s"] * 3600, 1),
        "throughput_cpu_cases_per_hour": round(workers * 3600 / cpu_mean, 1) if cpu_mean else 0.0,
        "peak_rss_mb_per_worker": _peak_rss(rows),
        "parent_rss_after_load_mb": record["parent_rss_after_load_mb"],
        "engine_load": {"wall_s": record["load_wall_s"], "cpu_s": record["load_cpu_s"]},
        "pass_wall_s": record["wall_s"],
        "decisions": dict(Counter(r["decision"] for r in rows)),
        "decision_agreement": _agreement(rows, labels),
        **groups.grouped(rows, labels),
    }


def _peak_rss(rows: list[dict[str, Any]]) -> dict[str, float]:
    by_pid: dict[str, float] = {}  # every record, errors included, carries its worker's peak
    for r in rows:
        mb = round(r["vm_hwm_kb"] / 1024, 1)
        by_pid[str(r["pid"])] = max(by_pid.get(str(r["pid"]), 0.0), mb)
    return by_pid


def _agreement(rows: list[dict[str, Any]], labels: dict[str, Any] | None) -> str:
    if not labels:
        return "no labels"
    expected = {name: case["expected_decision"] for name, case in labels.items()}
    known = [r for r in rows if r["case"] in expected]
    same = sum(r["decision"] == expected[r["case"]] for r in known)
    return f"{same}/{len(known)}"


def scaling(one: dict[str, Any], two: dict[str, Any]) -> dict[str, Any]:
    """Throughput of 2 workers over 1 (raw pass records): by the wall clock, and from CPU per case.

    The CPU figure compares the mean CPU seconds per case over the cases both passes finished,
    times two workers: it assumes each worker has a core to itself (true on an idle 2-core
    machine) and shows what two processes competing for caches and memory bandwidth cost.
    The wall figure is only meaningful on an otherwise idle machine.
    """
    cpu = {
        n: {r["case"]: r["cpu_s"] for r in p["records"] if "error" not in r}
        for n, p in (("one", one), ("two", two))
    }
    common = sorted(set(cpu["one"]) & set(cpu["two"]))
    mean_one = sum(cpu["one"][c] for c in common) / max(1, len(common))
    mean_two = sum(cpu["two"][c] for c in common) / max(1, len(common))
    rate = {
        n: len(p["records"]) / p["wall_s"] if p["wall_s"] else 0.0
        for n, p in (("one", one), ("two", two))
    }
    return {
        "common_cases": len(common),
        "cpu_per_case_s": {"1": round(mean_one, 4), "2": round(mean_two, 4)},
        "cpu": round(2 * mean_one / mean_two, 3) if mean_two else float("nan"),
        "wall": round(rate["two"] / rate["one"], 3) if rate["one"] else float("nan"),
    }


def acceptance(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target of issue 9 with the measured value and whether it is met (None: not run)."""
    passes = result.get("pipeline", {})
    one, scale = passes.get("1"), result.get("scaling")
    faces, mrz = result.get("faces", {}).get("summary"), result.get("mrz", {}).get("summary", {})
    rss = max(
        (mb for p in passes.values() for mb in p["peak_rss_mb_per_worker"].values()), default=None
    )
    checks = {
        "case_p50_cpu_s": (one["case_cpu_s"]["p50"] if one else None, "<="),
        "scaling_2_workers": (scale["cpu"] if scale else None, ">="),
        "peak_rss_mb": (rss, "<="),
        "face_speedup": (faces["speedup_cpu_s"] if faces else None, ">="),
        "mrz_speedup": (mrz["all"]["speedup_cpu_s"] if mrz.get("all") else None, ">="),
    }
    id_stage = one["stages_cpu_ms"].get("id_document", {}) if one else {}
    checks["id_stage_p50_cpu_ms"] = (id_stage.get("p50"), "<=")
    checks["id_stage_p95_cpu_ms"] = (id_stage.get("p95"), "<=")
    out = {name: _verdict(value, op, TARGETS[name]) for name, (value, op) in checks.items()}
    out.update(_family_checks(one))
    if faces:
        out["face_accuracy_not_worse"] = {
            "value": f"{faces['ours']['accuracy']} vs {faces['fr']['accuracy']}",
            "met": faces["ours"]["accuracy"] >= faces["fr"]["accuracy"],
        }
    if mrz.get("all"):
        everything = mrz["all"]
        out["mrz_read_rate_not_lower"] = {
            "value": f"{everything['ours_read']} vs {everything['pe_read']} "
            f"of {everything['images']}",
            "met": everything["ours_read"] >= everything["pe_read"],
        }
    return out


def _family_checks(one: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Issue 17's ID stage targets for the slowest layout family (one-worker pass)."""
    out: dict[str, dict[str, Any]] = {}
    for stat, name in FAMILY_TARGETS.items():
        found = groups.worst(one.get("by_family", {}), "id_document", stat) if one else None
        check = _verdict(found[1] if found else None, "<=", TARGETS[name])
        if found:
            check["value"] = f"{found[1]:g} ({found[0]})"
        out[f"{name}_worst_family"] = check
    return out


def _verdict(value: float | None, op: str, target: float) -> dict[str, Any]:
    if value is None:
        return {"value": None, "target": f"{op} {target}", "met": None}
    met = value <= target if op == "<=" else value >= target
    return {"value": value, "target": f"{op} {target}", "met": met}


def load_labels(cases_dir: Path) -> dict[str, Any] | None:
    """The set's ``labels.json`` cases, or None."""
    path = cases_dir / "labels.json"
    return json.loads(path.read_text())["cases"] if path.exists() else None
