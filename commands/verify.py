"""``llave-verify verify CASE_DIR [--explain] [--policy P]``: one case, verdict JSON on stdout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_dir", type=Path, help="a case folder holding case.json")
    parser.add_argument("--explain", action="store_true", help="a human-readable account instead")
    parser.add_argument("--policy", type=Path, help="policy TOML (default: the bundled one)")


def run(args: argparse.Namespace) -> int:
    from commands._runtime import build_context
    from pipeline.orchestrator import verify_case
    from workers.local import CaseFolderError, read_case_folder

    try:
        files = read_case_folder(args.case_dir)
    except CaseFolderError as exc:
        print(f"llave-verify: {exc}", file=sys.stderr)
        return 2
    verdict = verify_case(files, build_context(args.policy)).verdict
    print(render_explanation(verdict) if args.explain else verdict.to_json())
    return 0


def render_explanation(verdict) -> str:  # type: ignore[no-untyped-def]
    """A reviewer-style text account of a verdict."""
    from pipeline.explain import unresolved

    lines = [
        f"Solicitud {verdict.submission_id}: {verdict.decision.value.upper()} "
        f"(confianza {verdict.confidence:.2f}; pipeline {verdict.pipeline_version}, "
        f"política {verdict.policy_version})",
        "",
        "Verificaciones:",
    ]
    marks = {"pass": "✔", "fail": "✘", "inconclusive": "?"}
    for check in verdict.checks:
        score = "" if check.score is None else f" [{check.score:.2f}]"
        reasons = f" -> {', '.join(check.reasons)}" if check.reasons else ""
        lines.append(f"  {marks[check.status]} {check.name}{score}: {check.detail}{reasons}")
    if verdict.explanations:
        lines += ["", "Motivos:"]
        for exp in verdict.explanations:
            lines += [
                f"  {exp.reason.value}",
                f"    ciudadano: {exp.citizen}",
                f"    revisor: {exp.reviewer}",
            ]
    looks = [look for c in verdict.checks for look in c.evidence.get("segundas_lecturas", [])]
    if looks:
        lines += [
            "",
            "Segundas lecturas de la identificación (campo: lectura (por qué, resultado)):",
        ]
        lines += [f"  {look}" for look in looks]
    pending = unresolved(verdict.checks)
    if pending:
        lines += ["", "Por revisar (verificaciones sin motivo propio):"]
        lines += [f"  {item}" for item in pending]
    timings = ", ".join(f"{k} {v:.0f} ms" for k, v in verdict.timings_ms.items())
    lines += ["", f"Tiempos: {timings}"]
    return "\n".join(lines)
