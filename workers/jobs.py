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

from pipeline.errors import LlaveError, ObjectTooLarge
from workers.settings import Settings
from workers.storage import InvalidObjectKey, ObjectMissing, ObjectStore, store_from_settings

if TYPE_CHECKING:
    from redis import Redis

    from models import JobPayload
    from pipeline.orchestrator import CaseFiles, Context
    from workers.sink import VerdictSink

log = logging.getLogger("llave.jobs")


class InvalidPayload(LlaveError, ValueError):
    """The job payload is not a valid ``JobPayload``; names the fields, never their values."""


class JobCrashed(LlaveError):
    """An unexpected exception inside the job (a bug); the message names its type and place only."""


@dataclass(frozen=True)
class WorkerState:
    """What a worker loads once: settings and the pipeline context (engines, policy, gallery)."""

    settings: Settings
    context: Context


_STATE: WorkerState | None = None
_CLIENTS: dict[int, tuple[ObjectStore, Redis]] = {}


def load_state(settings: Settings | None = None) -> WorkerState:
    """Load engines (tesseract check, poppler, dlib models) and the policy: ~1-2 s, ~150 MB."""
    from pipeline.engines import Engines
    from pipeline.orchestrator import Context
    from pipeline.policy import load_policy

    settings = settings or Settings.from_env()
    context = Context(engines=Engines.load(), policy=load_policy(), gallery=_load_gallery())
    return WorkerState(settings=settings, context=context)


def _load_gallery() -> Any:
    """A read-only snapshot of the duplicate-identity gallery when ``$LLAVE_GALLERY_PATH`` is set.

    The file is encrypted with ``$LLAVE_GALLERY_KEY`` (``pipeline.gallery``). Enrolling new
    templates from distributed workers needs a shared store and is not done here.
    """
    path = os.environ.get("LLAVE_GALLERY_PATH")
    if not path:
        return None
    from pipeline.gallery import Gallery

    return Gallery.load(path)


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
    from workers.sink import VerdictSink

    store, redis = clients(settings)
    return VerdictSink(store=store, redis=redis, bucket=settings.verdict_bucket)


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
    store, _ = clients(state.settings)
    max_bytes = state.context.policy.integer("limits.max_upload_bytes")
    files = fetch_case_files(store, model, max_bytes)
    log.info(
        "case fetched",
        extra={"submission_id": model.submission_id, "problems": sorted(files.problems)},
    )
    outcome = verify_case(files, state.context)
    written = make_sink(state.settings).write(outcome, model)
    return {
        "submission_id": written.submission_id,
        "decision": written.decision,
        "bucket": written.bucket,
        "verdict_key": written.verdict_key,
        "event_id": written.event_id,
    }


def _where(exc: BaseException) -> str:
    """``file:line`` of the innermost frame of our own code in a traceback (no values)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if any(f"/{pkg}/" in f.filename for pkg in _PACKAGES)]
    if not (ours or frames):
        return "?"
    last = (ours or frames)[-1]
    return f"{PurePosixPath(last.filename).parent.name}/{PurePosixPath(last.filename).name}:{last.lineno}"


_PACKAGES = ("pipeline", "workers", "models")
