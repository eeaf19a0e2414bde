"""Batch runs through the RQ queue: enqueue every case, gather verdicts as jobs finish.

Each case becomes a ``verify_submission`` job (``workers.client.submit``: one job per
submission id). Local case folders are uploaded first (``workers.client.upload_case``); cases
already under an S3 prefix are enqueued in place, the payload naming their objects. Verdicts
are read back from the verdict bucket as their jobs finish and written to
``OUT_DIR/<case>.json`` (and face crops to ``OUT_DIR/artefacts/<case>/``).

Resuming: a case with an ``OUT_DIR`` verdict is skipped; a submission whose job is live or
finished is not enqueued again (``submit`` deduplicates), so an interrupted gatherer just
picks up the results. ``force`` re-runs finished submissions.

The workers apply *their* policy and publish what they decide (account status, verdict
events, the duplicate gallery): run analysis batches against a staging stack, not production.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workers.batch import (
    CaseResult,
    CaseSource,
    FolderSource,
    StoreSource,
    todo,
    write_artefacts,
    write_verdict_json,
)
from workers.settings import Settings

if TYPE_CHECKING:
    from redis import Redis

    from models import JobPayload
    from workers.storage import ObjectStore

log = logging.getLogger("llave.batch")
FAILED_STATES = {"failed", "stopped", "canceled"}


@dataclass
class _Pending:
    name: str
    submission_id: str


def payload_in_place(source: StoreSource, name: str) -> JobPayload:
    """The job payload of a case already in the object store: its objects, where they are."""
    from models import JobPayload

    case = source.read_case(name)
    data = json.loads(case.model_dump_json())
    roles = data.pop("documents")
    data["bucket"] = source.bucket
    data["documents"] = {
        "id_type": roles["id_type"],
        **{role: source.key(name, file) for role, file in case.documents.roles().items()},
    }
    return JobPayload.model_validate(data)


def make_payload(
    source: CaseSource, name: str, store: ObjectStore, settings: Settings
) -> JobPayload:
    """The job payload of one case: uploaded from a folder, or in place under an S3 prefix."""
    from workers.client import upload_case

    if isinstance(source, FolderSource):
        return upload_case(source.folder(name), store, settings.upload_bucket)
    if isinstance(source, StoreSource):
        return payload_in_place(source, name)
    raise TypeError(f"cannot enqueue cases from {type(source).__name__}")


def run_queued(
    source: CaseSource,
    out_dir: Path,
    settings: Settings,
    force: bool = False,
    artefacts: bool = True,
    poll_s: float = 0.5,
    stall_timeout_s: float = 900.0,
    connection: Redis | None = None,
    on_enqueued: Callable[[int, int], None] | None = None,
) -> Iterator[CaseResult]:
    """Enqueue the unfinished cases of ``source`` and yield each result as its job finishes.

    Gives up on the remaining cases (an error result each) when no job finished for
    ``stall_timeout_s`` seconds: no worker is running, or they are all stuck.
    """
    from workers.queue import redis_from_url
    from workers.storage import store_from_settings

    out_dir.mkdir(parents=True, exist_ok=True)
    connection = connection or redis_from_url(settings.redis_url)
    store = store_from_settings(settings)
    names = todo(source, out_dir, force)
    waiting: list[_Pending] = []
    gatherer = _Gatherer(connection, store, settings, out_dir, artefacts)
    for i, name in enumerate(names, 1):
        result = _enqueue(source, name, store, settings, connection, force, waiting)
        if result is not None:
            yield result
        if on_enqueued is not None:
            on_enqueued(i, len(names))
        yield from gatherer.collect(waiting, throttle_s=poll_s)
    last_progress = time.monotonic()
    while waiting:
        found = list(gatherer.collect(waiting))
        yield from found
        if found:
            last_progress = time.monotonic()
        elif time.monotonic() - last_progress > stall_timeout_s:
            for item in waiting:
                yield CaseResult(item.name, None, "no result: stalled (is a worker running?)")
            return
        else:
            time.sleep(poll_s)


def _enqueue(
    source: CaseSource,
    name: str,
    store: ObjectStore,
    settings: Settings,
    connection: Redis,
    force: bool,
    waiting: list[_Pending],
) -> CaseResult | None:
    """Submit one case; an error result when it cannot be (invalid case, storage down)."""
    from pipeline.errors import LlaveError
    from workers.client import submit

    try:
        payload = make_payload(source, name, store, settings)
        submit(payload, settings=settings, connection=connection, force=force)
    except (ValueError, LlaveError) as exc:
        log.warning("case not enqueued: %s", exc)
        return CaseResult(name, None, str(exc))
    waiting.append(_Pending(name, payload.submission_id))
    return None


class _Gatherer:
    """Polls the jobs of waiting cases and writes the verdicts of finished ones."""

    def __init__(
        self, connection: Redis, store: ObjectStore, settings: Settings, out: Path, artefacts: bool
    ) -> None:
        self.connection, self.store, self.settings = connection, store, settings
        self.out, self.artefacts = out, artefacts
        self._last = 0.0

    def collect(self, waiting: list[_Pending], throttle_s: float = 0.0) -> Iterator[CaseResult]:
        """Yield a result for each waiting case whose job ended; remove them from ``waiting``."""
        now = time.monotonic()
        if not waiting or now - self._last < throttle_s:
            return
        self._last = now
        states = job_states(self.connection, [item.submission_id for item in waiting])
        for item, state in zip(list(waiting), states, strict=True):
            result = self._result(item, state)
            if result is not None:
                waiting.remove(item)
                yield result

    def _result(self, item: _Pending, state: str | None) -> CaseResult | None:
        if state in FAILED_STATES:
            return CaseResult(item.name, None, f"job {state}")
        if state not in ("finished", None):
            return None
        verdict = self._fetch(item.submission_id)
        if verdict is None:
            # no job and no verdict: expired or lost before it ran
            return None if state == "finished" else CaseResult(item.name, None, "job vanished")
        write_verdict_json(json.dumps(verdict, indent=2, ensure_ascii=False), self.out, item.name)
        if self.artefacts:
            self._copy_artefacts(item, verdict)
        return CaseResult(item.name, str(verdict.get("decision")))

    def _fetch(self, submission_id: str) -> dict[str, Any] | None:
        from workers.client import read_verdict

        return read_verdict(submission_id, self.settings, self.store)

    def _copy_artefacts(self, item: _Pending, verdict: dict[str, Any]) -> None:
        from workers.storage import ObjectMissing

        found = {}
        for name, key in (verdict.get("artefacts") or {}).items():
            try:
                found[name] = self.store.get(self.settings.verdict_bucket, key)
            except (ObjectMissing, ValueError):
                continue
        if found:
            write_artefacts(found, self.out, item.name)


def job_states(connection: Redis, submission_ids: list[str]) -> list[str | None]:
    """The RQ state of each submission's job (None when there is no such job), in one round trip."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from workers.queue import job_id_for

    ids = [job_id_for(sid) for sid in submission_ids]
    jobs = Job.fetch_many(ids, connection=connection, serializer=JSONSerializer)
    states: list[str | None] = []
    for job in jobs:
        status = job.get_status(refresh=False) if job is not None else None
        states.append(status.value if status is not None else None)
    return states
