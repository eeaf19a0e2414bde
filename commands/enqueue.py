"""``llave-verify enqueue CASE_DIR [--force]``: upload a case folder to S3 and enqueue its job."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_dir", type=Path, help="a case folder holding case.json")
    parser.add_argument(
        "--force",
        action="store_true",
        help="run again even if the submission already has a verdict",
    )


def run(args: argparse.Namespace) -> int:
    from redis.exceptions import RedisError

    from pipeline.errors import StorageError
    from workers.client import enqueue_case

    try:
        submitted = enqueue_case(args.case_dir, force=args.force)
    except ValueError as exc:
        print(f"llave-verify: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"llave-verify: storage unavailable: {exc}", file=sys.stderr)
        return 3
    except RedisError as exc:
        print(f"llave-verify: redis unavailable ({type(exc).__name__})", file=sys.stderr)
        return 3
    if not submitted.enqueued:
        print(f"llave-verify: {submitted.submission_id} already {submitted.state}", file=sys.stderr)
    print(submitted.submission_id)
    return 0
