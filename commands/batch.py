"""``llave-verify batch CASES --out OUT_DIR``: verify a folder (or S3 prefix) of cases.

``CASES`` is a local folder of case folders or ``s3://bucket/prefix/`` (case folders under the
prefix, read through the ``LLAVE_S3_*`` settings). Cases run on a local process pool (every
core by default, ``--workers N``) or, with ``--queue``, as jobs on the RQ queue whose verdicts
are gathered as they finish. Writes ``OUT_DIR/<case folder name>.json`` per case, skips cases
already done unless ``--force`` (so an interrupted run resumes), shows a progress bar with
ETA, and prints the evaluation summary when labels exist (``--labels``, else
``CASES/labels.json``).

``--cache C`` keeps OCR/document and face results by content hash: a rerun with another
``--policy`` re-decides without decoding an image or loading a model.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cases_dir", help="a folder of case folders, or s3://bucket/prefix/")
    parser.add_argument("--out", type=Path, required=True, help="where the verdicts go")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes")
    parser.add_argument("--force", action="store_true", help="redo cases already done")
    parser.add_argument("--policy", type=Path, help="policy TOML (default: the bundled one)")
    parser.add_argument("--cache", type=Path, help="stage cache folder (reuse OCR and faces)")
    parser.add_argument("--labels", type=Path, help="labels.json to evaluate against")
    parser.add_argument("--no-artefacts", action="store_true", help="skip the face crops")
    parser.add_argument(
        "--gallery",
        type=Path,
        help="search duplicate identities in this encrypted gallery file ($LLAVE_GALLERY_KEY); "
        "default: no duplicate search",
    )
    parser.add_argument(
        "--queue",
        action="store_true",
        help="run the cases as RQ jobs (LLAVE_REDIS_URL, LLAVE_S3_*) and gather their verdicts; "
        "the workers apply their own policy",
    )
    parser.add_argument(
        "--stall-timeout",
        type=float,
        default=900.0,
        help="with --queue: give up when no job finished for this many seconds",
    )


def run(args: argparse.Namespace) -> int:
    from pipeline.errors import LlaveError

    if args.queue and (args.policy or args.cache or args.gallery):
        print(
            "llave-verify batch: --policy and --cache apply to local runs (so does --gallery); "
            "queued jobs use the workers' policy, stages and shared gallery",
            file=sys.stderr,
        )
        return 2
    try:
        source = _source(args.cases_dir)
        ctx = None if args.queue else _local_context(args)
    except (LlaveError, ValueError, OSError) as exc:
        print(f"llave-verify batch: {exc}", file=sys.stderr)
        return 2
    errors = _run_with_progress(source, ctx, args)
    labels = args.labels or _default_labels(args.cases_dir)
    if labels is not None and labels.exists():
        _print_evaluation(labels, args.out)
        if labels.name.endswith(_S3_LABELS_SUFFIX):
            labels.unlink(missing_ok=True)
    return 1 if errors else 0


def _source(cases: str):  # type: ignore[no-untyped-def]
    """The case source named on the command line (folder or ``s3://`` URL)."""
    from workers.batch import FolderSource, StoreSource, parse_s3_url
    from workers.local import find_cases

    s3 = parse_s3_url(cases)
    if s3 is not None:
        from workers.settings import Settings
        from workers.storage import S3Store

        settings = Settings.from_env()
        if settings.s3 is None:
            raise ValueError(f"{cases}: set LLAVE_S3_ENDPOINT (and keys) to read from S3")
        s3_settings = settings.s3
        return StoreSource(lambda: S3Store(s3_settings), *s3)
    folder = Path(cases)
    if not folder.is_dir():
        raise ValueError(f"{cases} is not a folder")
    return FolderSource(find_cases(folder))


def _run_with_progress(source, ctx, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    """Run the batch with a tqdm bar (rate and ETA); returns the number of failed cases."""
    from tqdm import tqdm

    from workers.batch import pending

    total = pending(source, args.out, args.force)
    how = "queued on RQ" if args.queue else f"{args.workers} workers"
    print(f"{len(source.names)} cases, {total} to run, {how}", file=sys.stderr)
    errors = 0
    with tqdm(total=total, unit="case", dynamic_ncols=True, smoothing=0.1) as bar:
        for result in _results(source, ctx, args, bar):
            errors += bool(result.error)
            bar.set_postfix_str(f"{result.name}: {result.decision or 'error'}", refresh=False)
            bar.update()
    if errors:
        print(f"{errors} case(s) failed; rerun to retry them", file=sys.stderr)
    return errors


def _results(source, ctx, args: argparse.Namespace, bar):  # type: ignore[no-untyped-def]
    artefacts = not args.no_artefacts
    if args.queue:
        from workers.batch_queue import run_queued
        from workers.settings import Settings

        def enqueued(done: int, total: int) -> None:
            bar.set_description_str(f"enqueued {done}/{total}", refresh=done == total)

        return run_queued(
            source,
            args.out,
            Settings.from_env(),
            force=args.force,
            artefacts=artefacts,
            stall_timeout_s=args.stall_timeout,
            on_enqueued=enqueued,
        )
    from workers.batch import run_batch

    return run_batch(source, args.out, ctx, args.workers, args.force, artefacts)


def _local_context(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The policy, cache, engines and gallery of a local run."""
    from dataclasses import replace

    ctx = _engines_context(args)
    if args.gallery is None:
        return ctx
    from pipeline.gallery import Gallery

    return replace(ctx, gallery=Gallery.load(args.gallery))


def _engines_context(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The policy, cache and engines of a local run.

    With a stage cache the engines load lazily (``workers.batch.LazyEngines``): a fully cached
    re-decision never loads the face models or checks tesseract.
    """
    if args.cache is None:
        from commands._runtime import build_context

        return build_context(args.policy, None)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from pipeline.orchestrator import Context
    from pipeline.policy import load_policy
    from workers.batch import LazyEngines
    from workers.cache import DirectoryCache

    return Context(
        engines=LazyEngines(),  # type: ignore[arg-type]
        policy=load_policy(args.policy),
        cache=DirectoryCache(args.cache),
    )


def _default_labels(cases: str) -> Path | None:
    """``CASES/labels.json`` of a folder, or the labels fetched from ``<prefix>labels.json``."""
    from workers.batch import parse_s3_url

    s3 = parse_s3_url(cases)
    if s3 is None:
        return Path(cases) / "labels.json"
    return _fetch_s3_labels(*s3)


_S3_LABELS_SUFFIX = "-s3-labels.json"


def _fetch_s3_labels(bucket: str, prefix: str) -> Path | None:
    from pipeline.errors import LlaveError
    from workers.settings import Settings
    from workers.storage import S3Store

    settings = Settings.from_env()
    if settings.s3 is None:
        return None
    try:
        data = S3Store(settings.s3).get(bucket, f"{prefix}labels.json", max_bytes=50_000_000)
    except LlaveError:
        return None
    with tempfile.NamedTemporaryFile("wb", suffix=_S3_LABELS_SUFFIX, delete=False) as handle:
        handle.write(data)
    return Path(handle.name)


def _print_evaluation(labels: Path, out: Path) -> None:
    from analysis.evaluate import evaluate, format_report
    from workers.local import load_labels

    try:
        found = load_labels(labels)
    except (OSError, ValueError, KeyError, TypeError):
        print(f"llave-verify batch: {labels} is not a labels.json; no evaluation", file=sys.stderr)
        return
    print(format_report(evaluate(found, out)))
