"""Run an llave-verify RQ worker: load the engines, then work the queues.

    uv run python run_worker.py [--queues verification] [--burst] [--name NAME] [--redis-url URL]

The engines (tesseract check, poppler check, dlib models) load in this process before the
first job, and the bundled sample cases run once (``workers/warmup.py``; ``LLAVE_WARMUP=0``
skips it) so lazily built caches are warm too; RQ forks a work horse per job, which inherits
them. SIGTERM (or Ctrl+C) is a warm shutdown: the current job finishes, then the worker exits;
a second one is a cold shutdown (the job is killed and later requeued by another worker's
registry cleanup). Exit codes:
0 after a normal stop, 2 when an engine is missing, 3 when Redis cannot be reached.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import time


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    from workers.settings import QUEUE_NAME

    parser = argparse.ArgumentParser(prog="run_worker.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--queues", nargs="+", default=[QUEUE_NAME], help="queues, in priority order"
    )
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--name", default=None, help="worker name (default: host.pid)")
    parser.add_argument("--redis-url", default=None, help="default $LLAVE_REDIS_URL")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Load everything, then run the worker until stopped."""
    args = parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from workers.worker import setup_json_logging

    setup_json_logging(args.log_level)
    log = logging.getLogger("llave.worker")

    from dataclasses import replace

    from pipeline.errors import EngineMissing
    from workers import jobs
    from workers.queue import get_queue, redis_from_url
    from workers.settings import Settings
    from workers.worker import LlaveWorker

    settings = Settings.from_env()
    if args.redis_url:
        settings = replace(settings, redis_url=args.redis_url)
    started = time.monotonic()
    try:
        jobs.install(jobs.load_state(settings))
    except EngineMissing as exc:
        log.error(f"engine missing: {exc}")
        return 2
    log.info("engines loaded", extra={"seconds": round(time.monotonic() - started, 2)})

    connection = redis_from_url(settings.redis_url)
    try:
        connection.ping()
    except Exception as exc:  # redis ConnectionError, TimeoutError
        log.error(f"redis unreachable: {type(exc).__name__}")
        return 3
    if settings.warm_up:
        from workers.warmup import warm_up

        warm_up(jobs.current_state().context)
    name = args.name or f"{socket.gethostname()}.{os.getpid()}"
    queues = [get_queue(connection, q) for q in args.queues]
    worker = LlaveWorker.configured(settings, queues, name=name, connection=connection)
    log.info("worker starting", extra={"worker": name, "queues": args.queues})
    worker.work(burst=args.burst, logging_level=args.log_level, with_scheduler=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
