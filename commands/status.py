"""``llave-verify status SUBMISSION_ID``: the job's state, or the verdict once it is stored."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission_id", help="the id printed by `llave-verify enqueue`")


def run(args: argparse.Namespace) -> int:
    """Print ``{"submission_id", "job", "verdict"?, "error"?}``; exit 1 when nothing is known."""
    from redis.exceptions import RedisError

    from pipeline.errors import StorageError
    from workers.client import status

    try:
        found = status(args.submission_id)
    except StorageError as exc:
        print(f"llave-verify: storage unavailable: {exc}", file=sys.stderr)
        return 3
    except RedisError as exc:
        print(f"llave-verify: redis unavailable ({type(exc).__name__})", file=sys.stderr)
        return 3
    print(json.dumps(found, indent=2, ensure_ascii=False))
    return 0 if found.get("job") or found.get("verdict") else 1
