"""``llave-verify compare RUN_A RUN_B [--labels L] [--strict] [--json]``: the policy-change gate.

Lists the cases whose decision changed between two batch runs (policy or pipeline versions)
with their reasons before and after, and prints both runs' versions.

Exit status: 0 when the gate passes; 1 when false verifies rose (labelled cases both runs
decided), or, with ``--strict``, when any new false verify appears (labels) or any case became
verified (no labels: false verifies cannot be told from true ones); 2 on unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_a", type=Path, help="the baseline run (folder of <case>.json)")
    parser.add_argument("run_b", type=Path, help="the candidate run")
    parser.add_argument("--labels", type=Path, help="labels.json: tells false verifies apart")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on any new false verify (labels) or any case that became verified (no labels)",
    )
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")


def run(args: argparse.Namespace) -> int:
    from analysis.compare import compare_dirs, format_comparison
    from analysis.report import RunError, load_labels

    try:
        labels = load_labels(args.labels) if args.labels else None
        result = compare_dirs(args.run_a, args.run_b, labels)
    except RunError as exc:
        print(f"llave-verify compare: {exc}", file=sys.stderr)
        return 2
    if not result.common:
        print("llave-verify compare: the runs have no case in common", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(format_comparison(result, str(args.run_a), str(args.run_b)))
    return 1 if gate_fails(result, args.strict) else 0


def gate_fails(result, strict: bool) -> bool:  # type: ignore[no-untyped-def]
    """Whether the comparison should block the change (see the module docstring)."""
    if result.labelled:
        new = set(result.false_verifies_b) - set(result.false_verifies_a)
        return result.false_verifies_rose or (strict and bool(new))
    return strict and bool(result.newly_verified)
