"""Queue wiring: the queue, the job id, the retry policy and the TTLs of a verification job.

One place decides how a job is enqueued, so the backend client, the CLI and the worker (which
fills in the same defaults for jobs a backend enqueued by hand) agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workers.settings import QUEUE_NAME, Settings

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

JOB_FUNCTION = "workers.jobs.verify_submission"
JOB_PREFIX = "verify-"
_ESCAPES = {"_": "__", ".": "_d", ":": "_c"}


def job_id_for(submission_id: str) -> str:
    """The RQ job id of a submission: one job per submission.

    RQ 3 accepts only ``[A-Za-z0-9_-]`` in job ids (docs/architecture.md said ``verify:<id>``),
    so the ``.``, ``:`` and ``_`` a submission id may hold are escaped, one-to-one.

    >>> job_id_for("s-0001"), job_id_for("a.b:c_d")
    ('verify-s-0001', 'verify-a_db_cc__d')
    """
    return JOB_PREFIX + "".join(_ESCAPES.get(char, char) for char in submission_id)


def submission_for(job_id: str) -> str:
    """The submission id of a job id (inverse of :func:`job_id_for`).

    >>> submission_for(job_id_for("a.b:c_d")), submission_for("other")
    ('a.b:c_d', 'other')
    """
    if not job_id.startswith(JOB_PREFIX):
        return job_id
    text, out, i = job_id[len(JOB_PREFIX) :], [], 0
    unescape = {v[1]: k for k, v in _ESCAPES.items()}
    while i < len(text):
        if text[i] == "_" and i + 1 < len(text):
            out.append(unescape.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def redis_from_url(url: str) -> Redis:
    """A Redis client with bounded connect time (a dead Redis fails fast, then RQ retries)."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)


def get_queue(connection: Redis, name: str = QUEUE_NAME) -> Queue:
    """The named RQ queue with the JSON serializer (plain dicts in, plain dicts out)."""
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(name, connection=connection, serializer=JSONSerializer)


def retry_for(settings: Settings) -> Any:
    """RQ's ``Retry``: one attempt per interval, the intervals growing (backoff)."""
    from rq import Retry

    return Retry(max=len(settings.retry_intervals), interval=list(settings.retry_intervals))


def enqueue_options(submission_id: str, settings: Settings) -> dict[str, Any]:
    """The keyword arguments of ``Queue.enqueue`` for one submission.

    The description names the submission only: RQ's default would print the payload.
    """
    return {
        "job_id": job_id_for(submission_id),
        "description": f"verify {submission_id}",
        "job_timeout": settings.job_timeout,
        "result_ttl": settings.result_ttl,
        "failure_ttl": settings.failure_ttl,
        "ttl": settings.queued_ttl,
        "retry": retry_for(settings),
    }
