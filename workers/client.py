"""The backend client: upload a case, enqueue its job, ask for its state or verdict.

Enqueueing the same submission twice runs it once. The job id is ``verify-<submission_id>`` (``workers.queue.job_id_for``);
:func:`submit` holds a short Redis lock on the submission, and enqueues only when there is no
job under that id in a live state (queued, scheduled, deferred, started) nor a finished one or
a published verdict. A failed, stopped or cancelled job is enqueued again, and ``force=True``
re-runs a finished submission (its verdict is overwritten, its event is not duplicated).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workers.queue import JOB_FUNCTION, enqueue_options, get_queue, job_id_for, redis_from_url
from workers.settings import QUEUE_NAME, Settings
from workers.storage import ObjectStore, guess_content_type, store_from_settings

if TYPE_CHECKING:
    from redis import Redis

    from models import JobPayload

LIVE_STATES = {"queued", "scheduled", "deferred", "started"}


@dataclass(frozen=True)
class Submitted:
    """What :func:`submit` did."""

    submission_id: str
    job_id: str
    enqueued: bool
    state: str


def submit(
    payload: dict[str, Any] | JobPayload,
    *,
    settings: Settings | None = None,
    connection: Redis | None = None,
    queue_name: str = QUEUE_NAME,
    force: bool = False,
) -> Submitted:
    """Validate and enqueue a job payload, once per submission."""
    from models import JobPayload
    from workers import accounts

    settings = settings or Settings.from_env()
    connection = connection or redis_from_url(settings.redis_url)
    model = payload if isinstance(payload, JobPayload) else JobPayload.model_validate(payload)
    sid = model.submission_id
    with connection.lock(f"llave:enqueue-lock:{sid}", timeout=30, blocking_timeout=10):
        state = job_state(connection, sid)
        done = accounts.get_submission_record(connection, sid) is not None
        if state in LIVE_STATES or (not force and (state == "finished" or done)):
            return Submitted(sid, job_id_for(sid), False, state or "finished")
        queue = get_queue(connection, queue_name)
        queue.enqueue(JOB_FUNCTION, model.model_dump(mode="json"), **enqueue_options(sid, settings))
    return Submitted(sid, job_id_for(sid), True, "queued")


def job_state(connection: Redis, submission_id: str) -> str | None:
    """The RQ state of a submission's job (``queued``, ``started``, ``finished``...), or None."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    try:
        job = Job.fetch(job_id_for(submission_id), connection=connection, serializer=JSONSerializer)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    return status.value if status is not None else None


def upload_case(case_dir: Path, store: ObjectStore, bucket: str) -> JobPayload:
    """Upload a case folder's files to ``bucket`` under ``<submission_id>/<role><ext>``.

    Returns the job payload naming those objects. Raises ``ValueError`` (no personal data)
    when ``case.json`` is missing or invalid or names a file that is not there.
    """
    from models import Case, JobPayload
    from workers.jobs import file_name_for

    try:
        case = Case.model_validate_json((case_dir / "case.json").read_bytes())
    except FileNotFoundError:
        raise ValueError(f"{case_dir.name}: no case.json") from None
    except ValueError as exc:
        fields = sorted({".".join(map(str, e["loc"])) for e in getattr(exc, "errors", list)()})
        raise ValueError(f"{case_dir.name}: invalid case.json ({', '.join(fields)})") from None
    store.ensure_bucket(bucket)
    keys: dict[str, str] = {}
    for role, name in case.documents.roles().items():
        path = case_dir / name
        if not path.is_file():
            raise ValueError(f"{case_dir.name}: the {role} file is missing")
        key = f"{case.submission_id}/{file_name_for(role, name)}"
        store.put(bucket, key, path.read_bytes(), guess_content_type(name))
        keys[role] = key
    data = json.loads(case.model_dump_json())
    data.pop("documents")
    data["bucket"] = bucket
    data["documents"] = {"id_type": case.documents.id_type, **keys}
    return JobPayload.model_validate(data)


def enqueue_case(
    case_dir: Path, settings: Settings | None = None, force: bool = False
) -> Submitted:
    """Upload a case folder and enqueue its job (``llave-verify enqueue``)."""
    settings = settings or Settings.from_env()
    payload = upload_case(case_dir, store_from_settings(settings), settings.upload_bucket)
    return submit(payload, settings=settings, force=force)


def read_verdict(
    submission_id: str, settings: Settings | None = None, store: ObjectStore | None = None
) -> dict[str, Any] | None:
    """The stored verdict JSON of a submission, or None when there is none yet."""
    from workers.sink import verdict_key
    from workers.storage import ObjectMissing

    settings = settings or Settings.from_env()
    store = store or store_from_settings(settings)
    try:
        raw = store.get(settings.verdict_bucket, verdict_key(submission_id))
    except ObjectMissing:
        return None
    return json.loads(raw)


def status(submission_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """The job state and, once it is published, the verdict of a submission."""
    from workers import accounts

    settings = settings or Settings.from_env()
    connection = redis_from_url(settings.redis_url)
    state = job_state(connection, submission_id)
    record = accounts.get_submission_record(connection, submission_id)
    result: dict[str, Any] = {"submission_id": submission_id, "job": state}
    if record is not None or state == "finished":
        result["verdict"] = read_verdict(submission_id, settings)
    if state == "failed":
        result["error"] = _failure_summary(connection, submission_id)
    return result


def _failure_summary(connection: Redis, submission_id: str) -> str:
    """The last line of the failed job's exception (our messages carry no personal data)."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    job = Job.fetch(job_id_for(submission_id), connection=connection, serializer=JSONSerializer)
    latest = job.latest_result()
    text = (latest.exc_string if latest is not None else "") or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "failed"
