"""The RQ worker of llave-verify: forking, fast failure detection, retry classification, JSON logs.

* ``LlaveWorker`` forks a work horse per job from a parent that already loaded the engines
  (``run_worker.py``), so each job starts with the models in memory (copy-on-write).
* A job whose worker died (SIGKILL, OOM, lost machine) is found by RQ's StartedJobRegistry
  cleanup once its heartbeat expires: ``monitoring_interval + heartbeat_grace`` seconds after
  the last heartbeat instead of RQ's fixed ``+60``. Idle workers wake up every
  ``maintenance_interval`` seconds to run that cleanup, which requeues the job
  (``AbandonedJobError``, counted against its ``Retry``).
* The horse and the scheduler die with their parent (``PR_SET_PDEATHSIG``), so a killed worker
  leaves no orphan running the same job twice.
* Retries: infrastructure errors (:func:`retryable`) use the job's ``Retry``; anything else
  (bad payload, a bug) fails at once. Jobs enqueued by hand without a ``Retry`` get the
  configured one when dequeued.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import logging
import re
import signal
import sys
from typing import Any

from rq import Worker
from rq.job import Job
from rq.queue import Queue
from rq.scheduler import RQScheduler
from rq.timeouts import JobTimeoutException

from pipeline.errors import EngineError, ObjectTooLarge, StorageError
from workers.settings import Settings

log = logging.getLogger("llave.worker")
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        log.warning("cannot set the parent-death signal")


def retryable(exc_type: type[BaseException] | None) -> bool:
    """True for infrastructure failures that a later attempt may not hit.

    A job whose worker died (``AbandonedJobError``, raised by RQ's registry cleanup) is retried.

    >>> retryable(StorageError), retryable(ObjectTooLarge), retryable(ValueError)
    (True, False, False)
    >>> from rq.exceptions import AbandonedJobError
    >>> retryable(AbandonedJobError)
    True
    """
    if exc_type is None:
        return False
    from redis.exceptions import ConnectionError, TimeoutError
    from rq.exceptions import AbandonedJobError

    if issubclass(exc_type, ObjectTooLarge):
        return False
    transient = (
        StorageError,
        EngineError,
        ConnectionError,
        TimeoutError,
        JobTimeoutException,
        AbandonedJobError,
    )
    return issubclass(exc_type, transient)


def classify_failure(job: Job, exc_type: Any, exc_value: Any, tb: Any) -> bool:
    """RQ exception handler: cancel the remaining retries of a non-retryable failure."""
    sid = _submission_of(job)
    if retryable(exc_type):
        log.warning(
            "job failed, will retry",
            extra={
                "submission_id": sid,
                "error": exc_type.__name__,
                "retries_left": job.retries_left,
            },
        )
    else:
        job.retries_left = 0
        log.error(
            "job failed, not retried",
            extra={"submission_id": sid, "error": getattr(exc_type, "__name__", "?")},
        )
    return True


def _submission_of(job: Job) -> str:
    from workers.queue import submission_for

    return submission_for(job.id)


class LlaveScheduler(RQScheduler):
    """RQ's scheduler process, bound to the life of its worker."""

    def work(self) -> None:
        die_with_parent()
        super().work()


class LlaveWorker(Worker):
    """A forking RQ worker tuned for fast recovery of jobs whose worker died."""

    heartbeat_grace = 20
    llave_settings: Settings | None = None

    @classmethod
    def configured(
        cls, settings: Settings, queues: list[Queue], name: str, connection: Any
    ) -> LlaveWorker:
        """A worker on ``queues`` with the monitoring intervals and TTLs of ``settings``."""
        from rq.serializers import JSONSerializer

        worker = cls(
            queues,
            name=name,
            connection=connection,
            serializer=JSONSerializer,
            job_monitoring_interval=settings.monitoring_interval,
            maintenance_interval=settings.maintenance_interval,
            worker_ttl=settings.worker_ttl,
            default_result_ttl=settings.result_ttl,
            log_job_description=False,
            exception_handlers=[classify_failure],
        )
        worker.heartbeat_grace = settings.heartbeat_grace
        worker.llave_settings = settings
        return worker

    @property
    def dequeue_timeout(self) -> int:
        """Wake up at least every maintenance interval, so idle workers clean registries."""
        return max(1, min(self.worker_ttl - 15, int(self.maintenance_interval)))

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """Seconds until a running job counts as abandoned without a new heartbeat."""
        interval = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            interval = min(job.timeout - working_time, interval)
        return int(max(interval, 1)) + self.heartbeat_grace

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Give hand-enqueued jobs the configured retry policy, bring the shared gallery up to
        date (so the horse inherits it), then fork as usual."""
        self._default_retry(job)
        self._refresh_gallery()
        super().execute_job(job, queue)

    def _refresh_gallery(self) -> None:
        from redis.exceptions import RedisError

        from workers import jobs

        try:
            jobs.refresh_gallery(self.connection)
        except (RedisError, ValueError) as exc:  # the horse checks again and retries if need be
            log.warning("gallery refresh failed", extra={"error": type(exc).__name__})

    def _default_retry(self, job: Job) -> None:
        settings = self.llave_settings
        if settings is None or job.retries_left is not None:
            return
        job.retries_left = len(settings.retry_intervals)
        job.retry_intervals = list(settings.retry_intervals)
        self.connection.hset(
            job.key,
            mapping={
                "retries_left": job.retries_left,
                "retry_intervals": json.dumps(job.retry_intervals),
            },
        )

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        """The forked horse: die with the worker, then run the job."""
        die_with_parent()
        super().main_work_horse(job, queue)

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: Any = "INFO",
        date_format: Any = None,
        log_format: Any = None,
    ) -> None:
        """RQ's scheduler start-up, with a scheduler that dies with this worker."""
        self.scheduler = LlaveScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level or "INFO",
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if burst:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()
            finally:
                self.scheduler.release_locks()
                self.scheduler.register_death()
        else:
            self.scheduler.start()


# --------------------------------------------------------------------------- JSON logs

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
#: Extra fields allowed in a log line. Anything else (RQ puts job arguments in ``extra``) is dropped.
LOG_FIELDS = {
    "submission_id",
    "decision",
    "error",
    "retries_left",
    "problems",
    "new_event",
    "worker",
    "queues",
    "seconds",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and allowed extra fields.

    Tracebacks are reduced to exception type and frames (file, line, function): exception
    messages may carry data from the documents.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": _first_line(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key in LOG_FIELDS and key not in _STANDARD:
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
        return json.dumps(line, default=str, ensure_ascii=False)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _first_line(message: str) -> str:
    """RQ appends tracebacks to some messages and colours others: keep plain first lines.

    >>> _first_line("\\x1b[32mverification\\x1b[39;49;00m: ok\\nTraceback ...")
    'verification: ok'
    """
    return _ANSI.sub("", message.split("\n", 1)[0])


def setup_json_logging(level: str = "INFO") -> None:
    """Send every logger (ours and RQ's) to stderr as JSON lines."""
    from workers.logs import SubmissionFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SubmissionFilter())  # every line logged during a job carries its id
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("rq", "rq.worker", "rq.scheduler", "rq.job", "rq.queue"):
        named = logging.getLogger(name)
        named.handlers[:] = []
        named.propagate = True
