"""``llave-verify purge``: delete a submission's or an account's personal data, audited.

::

    llave-verify purge --submission SID --cause solicitud_titular
    llave-verify purge --account ACCOUNT_ID --cause suplantacion_identidad
    llave-verify purge --expired            # the policy's [retention] periods (cron, daily)

Storage and Redis come from the ``LLAVE_*`` environment (``docs/workers.md``); the gallery from
``$LLAVE_GALLERY_PATH`` (re-saved encrypted with ``$LLAVE_GALLERY_KEY``); stage caches from
``--cache DIR`` (repeatable). Prints the counts deleted (never the data) as JSON; each run is
one entry of the Redis stream ``llave:purge-audit``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from workers.purge import CAUSES

    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--submission", metavar="ID", help="purge one submission now")
    what.add_argument("--account", metavar="ID", help="cancel an account: purge all its data now")
    what.add_argument(
        "--expired", action="store_true", help="apply the retention periods of the policy"
    )
    parser.add_argument(
        "--cause",
        choices=sorted(CAUSES),
        help="why (required with --submission / --account): "
        + "; ".join(f"{k}: {v}" for k, v in CAUSES.items()),
    )
    parser.add_argument("--actor", help="who asks (default: $LLAVE_ACTOR or the OS user)")
    parser.add_argument(
        "--cache", type=Path, action="append", default=[], help="stage cache folder to purge"
    )
    parser.add_argument("--policy", type=Path, help="policy file (default: the bundled one)")


def run(args: argparse.Namespace) -> int:
    """Purge and print the counts; exit 2 on a bad request, 3 when storage is unreachable."""
    from redis.exceptions import RedisError

    from pipeline.errors import StorageError
    from pipeline.policy import PolicyError
    from workers.purge import PurgeError

    if not args.expired and not args.cause:
        print(
            "llave-verify purge: --cause is required with --submission/--account", file=sys.stderr
        )
        return 2
    try:
        report = _purge(args)
    except (PurgeError, PolicyError) as exc:
        print(f"llave-verify purge: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"llave-verify purge: storage unavailable: {exc}", file=sys.stderr)
        return 3
    except RedisError as exc:
        print(f"llave-verify purge: redis unavailable ({type(exc).__name__})", file=sys.stderr)
        return 3
    summary = {
        "scope": report.scope,
        "cause": report.cause,
        "account_id": report.account_id,
        "submissions": len(report.submission_ids),
        "deleted": report.totals(),
        "kept_open_review": report.kept_open_review,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


def _purge(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from pipeline.policy import load_policy
    from workers.jobs import clients
    from workers.purge import PurgeTargets, Retention, purge_account, purge_expired, purge_one
    from workers.settings import Settings

    settings = Settings.from_env()
    store, redis = clients(settings)
    gallery = os.environ.get("LLAVE_GALLERY_PATH")
    targets = PurgeTargets(
        store=store,
        redis=redis,
        upload_bucket=settings.upload_bucket,
        verdict_bucket=settings.verdict_bucket,
        gallery_path=Path(gallery) if gallery else None,
        cache_dirs=list(args.cache),
    )
    actor = args.actor or os.environ.get("LLAVE_ACTOR") or getpass.getuser()
    if args.expired:
        retention = Retention.from_policy(load_policy(args.policy))
        return purge_expired(targets, retention, actor)
    if args.account:
        return purge_account(targets, args.account, args.cause, actor)
    return purge_one(targets, args.submission, args.cause, actor)
