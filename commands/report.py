"""``llave-verify report OUT_DIR [--labels L] --html report.html``: one self-contained HTML page.

Summary (the evaluation figures when labels are given), confusion matrix, per-scenario
accuracy, reasons, genuine vs impostor face distances, ROC/DET with the policy's face
thresholds, confidence calibration and stage timings. Figures are embedded PNGs; the page
makes no external request.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", type=Path, help="a batch output folder of <case>.json verdicts")
    parser.add_argument("--labels", type=Path, help="labels.json of the fixture set (accuracy)")
    parser.add_argument("--html", type=Path, required=True, help="where to write the page")
    parser.add_argument(
        "--policy",
        type=Path,
        help="policy TOML whose face thresholds to mark (default: those the verdicts recorded, "
        "else the bundled policy)",
    )
    parser.add_argument("--json", type=Path, help="also write the report's figures as JSON")


def run(args: argparse.Namespace) -> int:
    from analysis.report import RunError, build_report, render_html

    try:
        labels = _labels(args.labels)
        chosen = _thresholds(args.policy) if args.policy else None
        report = build_report(args.run_dir, labels, chosen)
        if not report.thresholds:
            report.thresholds = _thresholds(None)
    except (RunError, ValueError, OSError) as exc:
        print(f"llave-verify report: {exc}", file=sys.stderr)
        return 2
    args.html.parent.mkdir(parents=True, exist_ok=True)
    args.html.write_text(render_html(report), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(_as_json(report), indent=2), encoding="utf-8")
    print(f"{report.cases} verdicts -> {args.html}", file=sys.stderr)
    return 0


def _labels(path: Path | None) -> dict | None:
    from analysis.report import load_labels

    return load_labels(path) if path is not None else None


def _thresholds(policy_path: Path | None) -> dict[str, float]:
    """The face thresholds of ``policy_path``; with None, of the bundled policy."""
    from analysis.report import face_thresholds
    from pipeline.policy import load_policy

    return face_thresholds(load_policy(policy_path).data)


def _as_json(report) -> dict:  # type: ignore[no-untyped-def]
    from dataclasses import asdict

    data = asdict(report)
    if report.evaluation is not None:
        data["evaluation"] = report.evaluation.to_json()
    return data
