"""``llave-verify schema [--out models/schema]``: write the JSON Schema of every boundary record."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "models" / "schema"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for *.schema.json")


def run(args: argparse.Namespace) -> int:
    from models.schema_export import write_schemas

    for path in write_schemas(args.out):
        print(path)
    return 0
