"""``llave-verify batch CASES_DIR --out OUT_DIR``: verify a folder of cases on every core.

Writes ``OUT_DIR/<case folder name>.json`` per case, skips cases already done unless
``--force``, and prints the evaluation summary when ``CASES_DIR/labels.json`` exists.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cases_dir", type=Path, help="a folder of case folders")
    parser.add_argument("--out", type=Path, required=True, help="where the verdicts go")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes")
    parser.add_argument("--force", action="store_true", help="redo cases already done")
    parser.add_argument("--policy", type=Path, help="policy TOML (default: the bundled one)")
    parser.add_argument("--cache", type=Path, help="stage cache folder (reuse OCR and faces)")
    parser.add_argument("--labels", type=Path, help="labels.json to evaluate against")
    parser.add_argument("--no-artefacts", action="store_true", help="skip the face crops")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from commands._runtime import build_context
    from workers.batch import pending, run_batch
    from workers.local import find_cases

    if not args.cases_dir.is_dir():
        print(f"llave-verify: {args.cases_dir} is not a folder", file=sys.stderr)
        return 2
    cases = find_cases(args.cases_dir)
    ctx = build_context(args.policy, args.cache)
    errors = 0
    total = pending(cases, args.out, args.force)
    print(f"{len(cases)} cases, {total} to run, {args.workers} workers", file=sys.stderr)
    with tqdm(total=total, unit="case", dynamic_ncols=True) as bar:
        for result in run_batch(
            cases, args.out, ctx, args.workers, args.force, not args.no_artefacts
        ):
            errors += bool(result.error)
            bar.set_postfix_str(f"{result.name}: {result.decision or 'error'}", refresh=False)
            bar.update()
    labels = args.labels or args.cases_dir / "labels.json"
    if labels.exists():
        _print_evaluation(labels, args.out)
    return 1 if errors else 0


def _print_evaluation(labels: Path, out: Path) -> None:
    from analysis.evaluate import evaluate, format_report
    from workers.local import load_labels

    print(format_report(evaluate(load_labels(labels), out)))
