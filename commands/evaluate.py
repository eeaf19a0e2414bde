"""``llave-verify evaluate --labels L --verdicts DIR [--json]``.

The figures overall, per scenario, per ID layout family and per ID type (``docs/families.md``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labels", type=Path, required=True, help="labels.json of a fixture set")
    parser.add_argument(
        "--verdicts", type=Path, required=True, help="folder of <case>.json verdicts"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the figures as JSON (per family: by_family)"
    )


def run(args: argparse.Namespace) -> int:
    from analysis.evaluate import evaluate, format_report
    from workers.local import load_labels

    result = evaluate(load_labels(args.labels), args.verdicts)
    print(json.dumps(result.to_json(), indent=2) if args.json else format_report(result))
    return 0 if result.cases else 1
