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
JOB_PREFIX = "verify:"


def job_id_for(submission_id: str) -> str:
    """The RQ job id of a submission: one job per submission.

    >>> job_id_for("s-0001")
    'verify:s-0001'
    """
    return f"{JOB_PREFIX}{submission_id}"


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
