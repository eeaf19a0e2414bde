"""Local batch runs: every case of a folder or an object-store prefix, on a process pool.

Cases come from a :class:`CaseSource`: :class:`FolderSource` (case folders on the local disk)
or :class:`StoreSource` (case folders under a prefix of an S3 bucket, ``s3://bucket/prefix/``:
``<prefix><case>/case.json`` and the files it names). Engines load once in the parent, before
the pool forks, so every process shares them; with a stage cache they load only when a case
misses the cache (:class:`LazyEngines`). Finished cases (an ``OUT_DIR/<case>.json`` made by this
pipeline version) are skipped unless ``force``, which makes an interrupted run resumable; a
verdict of an older pipeline version is redone.
"""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
import re
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.errors import EngineError, LlaveError
from pipeline.orchestrator import CaseFiles, Context, Outcome, verify_case
from pipeline.version import PIPELINE_VERSION
from workers.local import DEFAULT_MAX_BYTES, CaseFolderError, read_case_folder
from workers.logs import submission_scope
from workers.memory import release_freed_memory

if TYPE_CHECKING:
    from models import Case
    from pipeline.engines import Engines
    from workers.storage import ObjectStore

log = logging.getLogger("llave.batch")
ENGINE_ATTEMPTS = 3  # an engine failure (timeout under load, crash) is retried this often per case
_CONTEXT: Context | None = None  # set in the parent before forking
_SOURCE: CaseSource | None = None
MAX_CASE_JSON_BYTES = 1_000_000


@dataclass(frozen=True)
class CaseResult:
    """What happened to one case folder of a batch."""

    name: str
    decision: str | None
    error: str = ""


class CaseSource(Protocol):
    """Where a batch's cases come from: their names, and each case's files by name."""

    names: list[str]

    def read(self, name: str) -> CaseFiles:
        """The case and its files; :class:`CaseFolderError` when it is not a valid case."""
        ...


class FolderSource:
    """Case folders on the local disk (the embedded default)."""

    def __init__(self, folders: Sequence[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._folders = {folder.name: folder for folder in folders}
        self.names = sorted(self._folders)
        self.max_bytes = max_bytes

    def folder(self, name: str) -> Path:
        """The folder of case ``name``."""
        return self._folders[name]

    def read(self, name: str) -> CaseFiles:
        """Load the folder's case.json and files."""
        return read_case_folder(self._folders[name], self.max_bytes)


_S3_URL = re.compile(r"^s3://(?P<bucket>[^/]+)/?(?P<prefix>.*)$")


def parse_s3_url(text: str) -> tuple[str, str] | None:
    """``(bucket, prefix)`` of an ``s3://bucket/prefix/`` URL (prefix ends with ``/``), or None.

    >>> parse_s3_url("s3://llave-cases/batches/2026-11/")
    ('llave-cases', 'batches/2026-11/')
    >>> parse_s3_url("s3://llave-cases"), parse_s3_url("s3://b-1/p")
    (('llave-cases', ''), ('b-1', 'p/'))
    >>> parse_s3_url("/tmp/cases") is None
    True
    """
    found = _S3_URL.match(text)
    if not found:
        return None
    prefix = found["prefix"]
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return found["bucket"], prefix


class StoreSource:
    """Case folders under ``prefix`` of an object-store bucket (S3, or the local store).

    A case is ``<prefix><name>/case.json`` plus the files it names, next to it. The store is
    created per process (after the fork), so no connection is shared between processes.
    """

    def __init__(
        self,
        make_store: Callable[[], ObjectStore],
        bucket: str,
        prefix: str = "",
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        from workers.storage import check_bucket, check_prefix

        self._make_store = make_store
        self._stores: dict[int, ObjectStore] = {}
        self.bucket, self.prefix = check_bucket(bucket), check_prefix(prefix)
        self.max_bytes = max_bytes
        self.names = self._list_cases()

    @property
    def store(self) -> ObjectStore:
        """This process's store client."""
        pid = os.getpid()
        if pid not in self._stores:
            self._stores = {pid: self._make_store()}
        return self._stores[pid]

    def _list_cases(self) -> list[str]:
        names = []
        for key in self.store.list(self.bucket, self.prefix):
            name, _, rest = key[len(self.prefix) :].partition("/")
            if rest == "case.json" and name:
                names.append(name)
        return sorted(names)

    def key(self, name: str, file_name: str) -> str:
        """The object key of a file of case ``name``."""
        from workers.storage import check_key

        return check_key(f"{self.prefix}{name}/{file_name}")

    def read_case(self, name: str) -> Case:
        """The case's ``case.json``; :class:`CaseFolderError` when missing or invalid."""
        from models import Case

        data = self._get_case_json(name)
        try:
            return Case.model_validate_json(data)
        except ValueError as exc:
            fields = sorted({".".join(map(str, e["loc"])) for e in getattr(exc, "errors", list)()})
            raise CaseFolderError(f"{name}: invalid case.json ({', '.join(fields)})") from None

    def read(self, name: str) -> CaseFiles:
        """Fetch case.json and its files (each within ``max_bytes``, checked before download)."""
        case = self.read_case(name)
        files: dict[str, bytes | None] = {}
        problems: dict[str, str] = {}
        for role, file_name in case.documents.roles().items():
            files[role], problem = self._get_file(name, file_name)
            if problem:
                problems[role] = problem
        return CaseFiles(case=case, files=files, problems=problems)

    def _get_case_json(self, name: str) -> bytes:
        from workers.storage import ObjectMissing, ObjectTooLarge

        try:
            return self.store.get(self.bucket, self.key(name, "case.json"), MAX_CASE_JSON_BYTES)
        except ObjectMissing:
            raise CaseFolderError(f"{name}: no case.json") from None
        except ObjectTooLarge:
            raise CaseFolderError(f"{name}: case.json is too large") from None

    def _get_file(self, name: str, file_name: str) -> tuple[bytes | None, str]:
        from workers.storage import InvalidObjectKey, ObjectMissing, ObjectTooLarge

        try:
            return self.store.get(self.bucket, self.key(name, file_name), self.max_bytes), ""
        except (ObjectMissing, InvalidObjectKey):
            return None, "missing"
        except ObjectTooLarge:
            return None, "too_large"


def as_source(cases: Sequence[Path] | CaseSource) -> CaseSource:
    """A list of case folders as a :class:`FolderSource`; a source as itself."""
    if isinstance(cases, FolderSource | StoreSource):
        return cases
    if isinstance(cases, Sequence):
        return FolderSource(list(cases))
    return cases


class LazyEngines:
    """Stands in for :class:`~pipeline.engines.Engines` and loads them on first use.

    A re-decision whose stages all hit the cache never touches an engine, so it never pays
    for loading the face models (~1 s, ~150 MB per process).
    """

    def __init__(self, load: Callable[[], Engines] | None = None) -> None:
        self._load = load
        self._engines: Engines | None = None

    @property
    def loaded(self) -> bool:
        """Whether the engines have been loaded in this process."""
        return self._engines is not None

    def get(self) -> Engines:
        """The engines, loading them now if needed."""
        if self._engines is None:
            if self._load is None:
                from pipeline.engines import Engines

                self._load = Engines.load
            log.info("loading engines (pid %s)", os.getpid())
            self._engines = self._load()
        return self._engines

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.get(), name)


def run_batch(
    cases: Sequence[Path] | CaseSource,
    out_dir: Path,
    ctx: Context,
    workers: int = 1,
    force: bool = False,
    artefacts: bool = True,
) -> Iterator[CaseResult]:
    """Verify ``cases`` into ``out_dir``, yielding each result as it finishes.

    With lazy engines, the first case runs in this process before the pool forks: if it missed
    the cache the engines are loaded then, and every child inherits them.
    """
    source = as_source(cases)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(name, out_dir, artefacts) for name in todo(source, out_dir, force)]
    global _CONTEXT, _SOURCE
    _CONTEXT, _SOURCE = ctx, source
    if workers <= 1 or len(jobs) <= 1:
        yield from (_run_one(job) for job in jobs)
        return
    if isinstance(ctx.engines, LazyEngines):
        yield _run_one(jobs.pop(0))
    with mp.get_context("fork").Pool(workers, initializer=_init_child) as pool:
        yield from pool.imap_unordered(_run_one, jobs, chunksize=_chunksize(len(jobs), workers))


def _chunksize(jobs: int, workers: int) -> int:
    """Small chunks keep the progress bar live; a few per worker cut the IPC of fast reruns."""
    return max(1, min(8, jobs // (workers * 8)))


def todo(cases: Sequence[Path] | CaseSource, out_dir: Path, force: bool) -> list[str]:
    """The names of the cases a run would process: all with ``force``, else those without a
    verdict of this pipeline version (unfinished, or decided by an older pipeline)."""
    names = as_source(cases).names
    return [n for n in names if force or not is_current(out_dir / f"{n}.json")]


def is_current(verdict_path: Path) -> bool:
    """Whether ``verdict_path`` holds a verdict made by this pipeline version."""
    try:
        made_by = json.loads(verdict_path.read_bytes()).get("pipeline_version")
    except (OSError, ValueError, AttributeError):
        return False
    return bool(made_by == PIPELINE_VERSION)


def pending(cases: Sequence[Path] | CaseSource, out_dir: Path, force: bool) -> int:
    """How many of ``cases`` a run would process."""
    return len(todo(cases, out_dir, force))


def _init_child() -> None:
    """Set up a pool process: one OpenMP thread, and the default signal handling whatever the
    parent installed. ``Pool.terminate`` stops idle children with SIGTERM; a handler inherited
    from the parent (an in-process RQ worker's warm-shutdown handler, which only sets a flag)
    kept a child alive, blocked on the task queue, and the batch never returned."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _run_one(job: tuple[str, Path, bool]) -> CaseResult:
    """Verify one case in a pool process and write its outcome; then trim the heap, as this
    process goes on to the next case (:mod:`workers.memory`)."""
    try:
        return _verify_and_write(job)
    finally:
        release_freed_memory()


def _verify_and_write(job: tuple[str, Path, bool]) -> CaseResult:
    name, out_dir, artefacts = job
    assert _CONTEXT is not None and _SOURCE is not None, "run_batch sets them before forking"
    try:
        files = _SOURCE.read(name)
    except CaseFolderError as exc:
        log.warning("case skipped: %s", exc)
        return CaseResult(name, None, str(exc))
    except LlaveError as exc:  # storage unreachable: no verdict, so a rerun retries the case
        log.warning("case not fetched: %s", exc)
        return CaseResult(name, None, str(exc))
    with submission_scope(files.case.submission_id):
        outcome = _verify_with_retries(files, _CONTEXT)
    if outcome is None:  # the engines kept failing: no verdict, so a rerun retries the case
        return CaseResult(name, None, "engine failure")
    write_outcome(outcome, out_dir, name, artefacts)
    return CaseResult(name, outcome.verdict.decision.value)


def _verify_with_retries(
    files: CaseFiles, ctx: Context, attempts: int = ENGINE_ATTEMPTS
) -> Outcome | None:
    """Verify a case, retrying when an engine fails (a timeout under load, a crash)."""
    for attempt in range(1, attempts + 1):
        try:
            if attempt < attempts:
                return verify_case(files, ctx)
            return _verify_last_attempt(files, ctx)
        except EngineError as exc:
            log.warning(
                "engine failure (attempt %d of %d): %s", attempt, attempts, type(exc).__name__
            )
    return None


def _verify_last_attempt(files: CaseFiles, ctx: Context) -> Outcome:
    """The last try: an OCR call that keeps timing out reads as blank (see ``OcrEngine``)."""
    ocr = ctx.engines.ocr  # loaded already: an earlier attempt failed in an engine
    ocr.timeouts_read_as_blank = True
    try:
        return verify_case(files, ctx)
    finally:
        ocr.timeouts_read_as_blank = False


def write_outcome(outcome: Outcome, out_dir: Path, name: str, artefacts: bool = True) -> Path:
    """Write ``<name>.json`` (atomically) and, if asked, the artefacts under ``artefacts/<name>/``."""
    if artefacts and outcome.artefacts:
        write_artefacts(outcome.artefacts, out_dir, name)
    return write_verdict_json(outcome.verdict.to_json(), out_dir, name)


def write_artefacts(artefacts: dict[str, bytes], out_dir: Path, name: str) -> None:
    """Write a case's artefacts (face crops) under ``out_dir/artefacts/<name>/``."""
    folder = out_dir / "artefacts" / name
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, data in artefacts.items():
        (folder / file_name).write_bytes(data)


def write_verdict_json(text: str, out_dir: Path, name: str) -> Path:
    """Write ``out_dir/<name>.json`` atomically (a reader never sees half a verdict)."""
    target = out_dir / f"{name}.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target
