"""``llave-verify face-bench``: calibrate and benchmark the face matcher on LFW (bench/faces.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_DATA = Path("/work/shared/data/faces/lfw")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the command."""
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="LFW folder (labels.csv, pairs.csv)"
    )
    parser.add_argument(
        "--write-calibration", action="store_true", help="write pipeline/data/face_calibration.json"
    )
    parser.add_argument(
        "--skip-speed", action="store_true", help="skip the 12 MP and gallery timings"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="results folder (default bench/results)"
    )
    parser.add_argument(
        "--refinement",
        action="store_true",
        help="measure a finer second template for grey-zone pairs instead (bench/face_refine.py)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; prints the figures and writes bench/results/faces_*."""
    import os

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import cv2

    cv2.setNumThreads(1)
    import sys

    repo = str(Path(__file__).resolve().parents[1])  # bench/ lives beside commands/, not installed
    if repo not in sys.path:
        sys.path.insert(0, repo)
    from bench import faces

    if not (args.data / "labels.csv").is_file():
        print(f"no LFW labels.csv under {args.data}")
        return 2
    if args.refinement:
        from bench import face_refine

        face_refine.run(args.data, args.out or faces.RESULTS)
        return 0
    faces.run(args.data, args.write_calibration, args.skip_speed, args.out or faces.RESULTS)
    return 0
