"""The RQ job: fetch a submission's uploads, run the pipeline, store the verdict.

``verify_submission`` takes and returns plain JSON, so a backend can enqueue it by path with
RQ's JSONSerializer. What can go wrong, and what happens::

    malformed payload                 InvalidPayload -> failed, never retried (fields named, no values)
    object missing / too large        the role goes to the pipeline as missing -> FILE_INVALID verdict
    corrupt upload                    the pipeline's decode stage -> FILE_INVALID verdict
    S3 / Redis unreachable, timeout   StorageError / EngineError -> retried with backoff (RQ Retry)
    unexpected exception (a bug)      JobCrashed (type and line only) -> failed, never retried

Models are loaded once per worker in the parent process (``run_worker.py`` calls
:func:`install`) and inherited by every forked work horse. Storage and Redis clients are
created per process, after the fork, so no socket is shared between a horse and its parent.
"""

from __future__ import annotations

import logging
import os
import traceback
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from pipeline.errors import LlaveError, ObjectTooLarge, StorageError
from workers.settings import Settings
from workers.storage import InvalidObjectKey, ObjectMissing, ObjectStore, store_from_settings

if TYPE_CHECKING:
    from redis import Redis

    from models import JobPayload
    from pipeline.orchestrator import CaseFiles, Context
    from workers.gallery_store import GalleryCache
    from workers.sink import VerdictSink

log = logging.getLogger("llave.jobs")


class InvalidPayload(LlaveError, ValueError):
    """The job payload is not a valid ``JobPayload``; names the fields, never their values."""


class JobCrashed(LlaveError):
    """An unexpected exception inside the job (a bug); the message names its type and place only."""


@dataclass(frozen=True)
class WorkerState:
    """What a worker loads once: settings, the pipeline context (engines, policy) and the
    worker's copy of the shared duplicate-identity gallery (``workers.gallery_store``)."""

    settings: Settings
    context: Context
    gallery: GalleryCache | None = None


_STATE: WorkerState | None = None
_CLIENTS: dict[int, tuple[ObjectStore, Redis]] = {}


def load_state(settings: Settings | None = None) -> WorkerState:
    """Load engines (tesseract check, poppler, dlib models) and the policy: ~1-2 s, ~150 MB.

    The gallery is the shared one in Redis when ``$LLAVE_GALLERY_KEY`` is set (loaded at the
    first job, kept current per job); otherwise none, unless ``$LLAVE_GALLERY_PATH`` names a
    read-only snapshot file (``pipeline.gallery.Gallery.save``).
    """
    from pipeline.engines import Engines
    from pipeline.orchestrator import Context
    from pipeline.policy import load_policy
    from workers.gallery_store import GalleryCache

    settings = settings or Settings.from_env()
    cache = GalleryCache.from_env()
    snapshot = None if cache else _load_snapshot()
    context = Context(engines=Engines.load(), policy=load_policy(), gallery=snapshot)
    return WorkerState(settings=settings, context=context, gallery=cache)


def _load_snapshot() -> Any:
    """A read-only gallery file named by ``$LLAVE_GALLERY_PATH`` (encrypted), or None."""
    path = os.environ.get("LLAVE_GALLERY_PATH")
    if not path:
        return None
    from pipeline.gallery import Gallery

    return Gallery.load(path)


def job_context(state: WorkerState, redis: Redis) -> Context:
    """The context of one job: the worker's, with the shared gallery brought up to date
    (one ``GET`` of its version when nothing changed). Redis down -> ``StorageError`` (retried)."""
    from dataclasses import replace

    from redis.exceptions import ConnectionError, TimeoutError

    if state.gallery is None:
        return state.context
    try:
        return replace(state.context, gallery=state.gallery.current(redis))
    except (ConnectionError, TimeoutError) as exc:
        raise StorageError(f"gallery unreachable ({type(exc).__name__})") from None


def refresh_gallery(redis: Redis) -> None:
    """Bring the installed gallery up to date in the worker's parent, before it forks a horse,
    so each horse inherits a current copy (a horse's own updates die with it)."""
    if _STATE is not None and _STATE.gallery is not None:
        _STATE.gallery.current(redis)


def install(state: WorkerState) -> None:
    """Make ``state`` the worker's preloaded state (call in the parent, before forking)."""
    global _STATE
    _STATE = state


def current_state() -> WorkerState:
    """The installed state; loaded here (once per process) if the worker did not preload it."""
    global _STATE
    if _STATE is None:
        log.warning("engines not preloaded; loading them in the job process")
        _STATE = load_state()
    return _STATE


def clients(settings: Settings) -> tuple[ObjectStore, Redis]:
    """The object store and Redis client of this process (created after the fork)."""
    pid = os.getpid()
    if pid not in _CLIENTS:
        from workers.queue import redis_from_url

        _CLIENTS.clear()
        _CLIENTS[pid] = (store_from_settings(settings), redis_from_url(settings.redis_url))
    return _CLIENTS[pid]


def parse_payload(payload: object) -> JobPayload:
    """Validate a payload dict; :class:`InvalidPayload` names the bad fields, not their values.

    >>> parse_payload({"submission_id": "s-1"})
    Traceback (most recent call last):
    ...
    workers.jobs.InvalidPayload: invalid job payload: account_id (missing), bucket (missing), \
documents (missing), registration (missing), submitted_at (missing)
    >>> parse_payload("not a dict")
    Traceback (most recent call last):
    ...
    workers.jobs.InvalidPayload: invalid job payload: expected a JSON object, got str
    """
    from pydantic import ValidationError

    from models import JobPayload

    if not isinstance(payload, dict):
        raise InvalidPayload(
            f"invalid job payload: expected a JSON object, got {type(payload).__name__}"
        )
    try:
        return JobPayload.model_validate(payload)
    except ValidationError as exc:
        problems = sorted({f"{'.'.join(map(str, e['loc']))} ({e['type']})" for e in exc.errors()})
        raise InvalidPayload(f"invalid job payload: {', '.join(problems)}") from None


def file_name_for(role: str, key: str) -> str:
    """The case file name a fetched object stands for: the role plus the key's extension.

    >>> file_name_for("selfie", "s-1/IMG_0001.JPG"), file_name_for("id_front", "s-1/front")
    ('selfie.jpg', 'id_front')
    >>> file_name_for("selfie", "s-1/x.j p g")
    'selfie'
    """
    suffix = PurePosixPath(key).suffix.lower()
    ok = 1 < len(suffix) <= 6 and suffix[1:].isalnum()
    return role + (suffix if ok else "")


def fetch_case_files(store: ObjectStore, payload: JobPayload, max_bytes: int) -> CaseFiles:
    """Download each upload within ``max_bytes`` (checked before download); a missing or
    oversized object becomes a problem of its role, for the pipeline to report."""
    from pipeline.orchestrator import CaseFiles

    files: dict[str, bytes | None] = {}
    problems: dict[str, str] = {}
    names: dict[str, str] = {}
    for role, key in payload.documents.roles().items():
        names[role] = file_name_for(role, key)
        try:
            files[role] = store.get(payload.bucket, key, max_bytes=max_bytes)
        except (ObjectMissing, InvalidObjectKey):
            files[role], problems[role] = None, "missing"
        except ObjectTooLarge:
            files[role], problems[role] = None, "too_large"
    return CaseFiles(case=payload.as_case(names), files=files, problems=problems)


def make_sink(settings: Settings) -> VerdictSink:
    """The verdict sink of this process."""
    from workers.gallery_store import gallery_key
    from workers.sink import VerdictSink

    store, redis = clients(settings)
    return VerdictSink(
        store=store, redis=redis, bucket=settings.verdict_bucket, gallery_key=gallery_key()
    )


def verify_submission(payload: dict[str, Any]) -> dict[str, Any]:
    """Verify one submission: fetch, run the pipeline, store the verdict; returns a summary.

    The summary is ``{"submission_id", "decision", "bucket", "verdict_key", "event_id"}``.
    """
    from workers.logs import submission_scope

    model = parse_payload(payload)
    try:
        with submission_scope(model.submission_id):
            return _verify(model)
    except LlaveError:
        raise
    except Exception as exc:  # a bug: report type and place, never the message (may hold data)
        log.error(
            "job crashed", extra={"submission_id": model.submission_id, "error": type(exc).__name__}
        )
        raise JobCrashed(
            f"{model.submission_id}: unexpected {type(exc).__name__} at {_where(exc)}"
        ) from None


def _verify(model: JobPayload) -> dict[str, Any]:
    from pipeline.orchestrator import verify_case

    state = current_state()
    store, redis = clients(state.settings)
    context = job_context(state, redis)
    max_bytes = context.policy.integer("limits.max_upload_bytes")
    files = fetch_case_files(store, model, max_bytes)
    log.info(
        "case fetched",
        extra={"submission_id": model.submission_id, "problems": sorted(files.problems)},
    )
    context.engines.ocr.timeouts_read_as_blank = is_last_attempt()
    outcome = verify_case(files, context)
    written = make_sink(state.settings).write(outcome, model)
    return {
        "submission_id": written.submission_id,
        "decision": written.decision,
        "bucket": written.bucket,
        "verdict_key": written.verdict_key,
        "event_id": written.event_id,
    }


def is_last_attempt() -> bool:
    """True when RQ will not retry the current job again (or it runs outside RQ)."""
    from rq import get_current_job

    job = get_current_job()
    return job is None or not job.retries_left


def _where(exc: BaseException) -> str:
    """``file:line`` of the innermost frame of our own code in a traceback (no values)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if any(f"/{pkg}/" in f.filename for pkg in _PACKAGES)]
    if not (ours or frames):
        return "?"
    last = (ours or frames)[-1]
    return f"{PurePosixPath(last.filename).parent.name}/{PurePosixPath(last.filename).name}:{last.lineno}"


_PACKAGES = ("pipeline", "workers", "models")
