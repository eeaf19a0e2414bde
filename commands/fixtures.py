"""``llave-verify fixtures``: generate labelled synthetic cases, or rebuild the face pool.

llave-verify fixtures generate --out DIR --n N --seed S [--workers K] [--profile compact]
    [--family NAME[,NAME...]]
llave-verify fixtures pool --source ../shared/data/faces
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sub-commands ``generate`` and ``pool``."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    gen = sub.add_parser("generate", help="write N labelled case folders and DIR/labels.json")
    gen.add_argument("--out", type=Path, required=True, help="output directory")
    gen.add_argument("--n", type=int, required=True, help="number of cases")
    gen.add_argument("--seed", type=int, required=True, help="random seed (same seed, same set)")
    gen.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: all cores)",
    )
    gen.add_argument(
        "--profile",
        choices=["full", "compact"],
        default="full",
        help="photo sizes: full (1600-4000 px) or compact (small files, a few 12 MP)",
    )
    gen.add_argument(
        "--family",
        default=None,
        metavar="NAME[,NAME...]",
        help="draw the IDs only in these layout families (docs/families.md); an ID kind with "
        "none allowed is drawn as the other kind",
    )
    pool = sub.add_parser("pool", help="rebuild fixtures/faces from the shared face data")
    pool.add_argument("--source", type=Path, default=Path("../shared/data/faces"))
    pool.add_argument("--dest", type=Path, default=None)


def run(args: argparse.Namespace) -> int:
    """Run the chosen action; 0 on success, 2 on bad arguments."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if args.action == "pool":
        from synth.faces import POOL_DIR, build_pool

        count = build_pool(args.source, args.dest or POOL_DIR)
        print(f"face pool: {count} files")
        return 0
    if args.n < 1 or args.workers < 1:
        print("fixtures generate: --n and --workers must be at least 1", file=sys.stderr)
        return 2
    from synth.families import families
    from synth.generate import generate_set

    only = None
    if args.family:
        only = frozenset(name.strip() for name in args.family.split(",") if name.strip())
        unknown = sorted(only - set(families()))
        if unknown or not only:
            print(
                f"fixtures generate: unknown family {', '.join(unknown) or '(none)'}; "
                f"known: {', '.join(families())}",
                file=sys.stderr,
            )
            return 2
    started = time.monotonic()
    labels = generate_set(args.out, args.n, args.seed, args.workers, args.profile, only)
    elapsed = time.monotonic() - started
    print(
        f"fixtures: {len(labels['cases'])} cases in {args.out} ({elapsed:.1f} s), "
        f"labels in {args.out / 'labels.json'}"
    )
    return 0
