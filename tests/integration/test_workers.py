"""Real RQ workers (``run_worker.py`` subprocesses) on real redis-server and S3 (moto).

The kill test's size comes from ``LLAVE_KILL_TEST_JOBS`` (default 100); its figures are printed
(run with ``-s`` to see them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer

from models import Verdict
from tests.integration.cases import make_case, upload_cases
from workers import accounts
from workers.client import submit, upload_case
from workers.queue import job_id_for, submission_for
from workers.sink import verdict_key

PERSONAL = ["PRUEBA", "SINTETICA", "XEXX010101HDFXXX04", "CALLE FALSA", "CUAUHTEMOC"]


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def published(r: Redis, sids: list[str]) -> int:
    """How many of ``sids`` have a published verdict."""
    with r.pipeline() as pipe:
        for sid in sids:
            pipe.exists(accounts.submission_key(sid))
        return sum(pipe.execute())


def events_per_submission(r: Redis) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, fields in r.xrange(accounts.VERDICT_STREAM, "-", "+"):
        sid = fields[b"submission_id"].decode()
        counts[sid] = counts.get(sid, 0) + 1
    return counts


def assert_no_personal_data(*log_files: Path) -> None:
    for path in log_files:
        text = path.read_text(errors="replace")
        for value in PERSONAL:
            assert value not in text, f"{value} leaked into {path.name}"


def test_plain_rq_enqueue_to_verdict(tmp_path, stack_env, settings, s3_store, redis_conn, workers):  # type: ignore[no-untyped-def]
    payload = upload_case(make_case(tmp_path, 7), s3_store, settings.upload_bucket)
    queue = Queue("verification", connection=redis_conn, serializer=JSONSerializer)
    job = queue.enqueue(
        "workers.jobs.verify_submission",
        payload.model_dump(mode="json"),
        job_id=job_id_for("sub-0007"),
    )
    worker = workers("w-plain")
    wait_for(lambda: job.get_status(refresh=True) == "finished", 90, what="the job")

    result = job.latest_result().return_value
    assert (
        result["submission_id"] == "sub-0007" and result["verdict_key"] == "sub-0007/verdict.json"
    )
    verdict = Verdict.model_validate_json(
        s3_store.get(settings.verdict_bucket, verdict_key("sub-0007"))
    )
    assert verdict.submission_id == "sub-0007" and verdict.decision.value == result["decision"]
    for name, key in verdict.artefacts.items():
        assert s3_store.stat(settings.verdict_bucket, key) is not None, name
    account = accounts.get_account(redis_conn, "acc-0007")
    assert account["status"] == verdict.decision.value and account["submission_id"] == "sub-0007"
    assert events_per_submission(redis_conn) == {"sub-0007": 1}
    job.refresh()
    assert job.retries_left == len(settings.retry_intervals)  # the worker's default Retry
    worker.stop()
    assert worker.proc.returncode == 0
    lines = worker.log_lines()
    assert lines and all({"ts", "level", "logger", "msg"} <= set(line) for line in lines)
    assert any(line.get("submission_id") == "sub-0007" for line in lines)
    assert_no_personal_data(worker.log_path)


def test_input_problems_become_verdicts_bad_payloads_fail_once(  # type: ignore[no-untyped-def]
    tmp_path, settings, s3_store, redis_conn, workers
):
    missing = upload_case(make_case(tmp_path, 11), s3_store, settings.upload_bucket)
    s3_store.delete(settings.upload_bucket, missing.documents.selfie)
    submit(missing, settings=settings, connection=redis_conn)
    queue = Queue("verification", connection=redis_conn, serializer=JSONSerializer)
    bad = {
        "submission_id": "sub-bad",
        "registration": {"nombre": "PRUEBA", "curp": "XEXX010101HDFXXX04"},
    }
    bad_job = queue.enqueue("workers.jobs.verify_submission", bad, job_id=job_id_for("sub-bad"))
    worker = workers("w-input")

    wait_for(lambda: published(redis_conn, ["sub-0011"]) == 1, 90, what="the verdict")
    verdict = Verdict.model_validate_json(
        s3_store.get(settings.verdict_bucket, verdict_key("sub-0011"))
    )
    assert "FILE_INVALID" in verdict.reasons and verdict.decision.value == "resubmit"
    wait_for(lambda: bad_job.get_status(refresh=True) == "failed", 30, what="the bad job to fail")
    bad_job.refresh()
    assert bad_job.retries_left == 0
    error = bad_job.latest_result().exc_string
    assert "InvalidPayload" in error and "account_id (missing)" in error
    assert not any(value in error for value in PERSONAL)
    worker.stop()
    assert_no_personal_data(worker.log_path)


def test_sigterm_finishes_the_current_job(tmp_path, settings, s3_store, redis_conn, workers):  # type: ignore[no-untyped-def]
    payloads = upload_cases(tmp_path, 3, s3_store, settings.upload_bucket)
    worker = workers("w-term")
    wait_for(
        lambda: worker.children(), 30, interval=0.05, what="engines loaded"
    )  # scheduler forked
    for payload in payloads:
        submit(payload, settings=settings, connection=redis_conn)
    queue = Queue("verification", connection=redis_conn, serializer=JSONSerializer)
    started = wait_for(
        lambda: queue.started_job_registry.get_job_ids(), 60, interval=0.05, what="a job"
    )
    worker.proc.send_signal(15)
    worker.proc.wait(60)
    assert worker.proc.returncode == 0
    job = Job.fetch(started[0], connection=redis_conn, serializer=JSONSerializer)
    assert job.get_status() == "finished"


def test_rq_info_shows_queues_and_workers(settings, stack_env, redis_conn, workers):  # type: ignore[no-untyped-def]
    worker = workers("w-info")
    wait_for(lambda: redis_conn.exists("rq:worker:w-info"), 60, what="worker registration")
    rq_cli = Path(sys.executable).with_name("rq")
    shown = subprocess.run(
        [
            str(rq_cli),
            "info",
            "--url",
            settings.redis_url,
            "--serializer",
            "rq.serializers.JSONSerializer",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert "verification" in shown and "w-info" in shown
    worker.stop()


@pytest.mark.timeout(1500)
def test_killed_worker_loses_and_duplicates_nothing(  # type: ignore[no-untyped-def]
    tmp_path, settings, s3_store, redis_conn, workers
):
    count = int(os.environ.get("LLAVE_KILL_TEST_JOBS", "100"))
    payloads = upload_cases(tmp_path, count, s3_store, settings.upload_bucket)
    sids = [p.submission_id for p in payloads]
    started_at = time.monotonic()
    for payload in payloads:
        assert submit(payload, settings=settings, connection=redis_conn).enqueued
    assert not submit(payloads[0], settings=settings, connection=redis_conn).enqueued
    victim, survivor = workers("w-victim"), workers("w-survivor")
    queue = Queue("verification", connection=redis_conn, serializer=JSONSerializer)

    wait_for(lambda: published(redis_conn, sids) >= min(10, count // 3), 240, what="first verdicts")
    busy_job = wait_for(
        lambda: _current_job(redis_conn, "w-victim"), 60, interval=0.02, what="a busy victim"
    )
    killed_pids = victim.kill_hard()
    killed_at = time.monotonic()
    replacement = workers("w-replacement")

    killed = Job.fetch(busy_job, connection=redis_conn, serializer=JSONSerializer)
    wait_for(lambda: killed.get_status(refresh=True) != "started", 30, what="the requeue")
    requeued_s = time.monotonic() - killed_at
    sid_killed = submission_for(busy_job)
    wait_for(lambda: published(redis_conn, [sid_killed]), 600, what="the killed job's verdict")
    recovered_s = time.monotonic() - killed_at
    wait_for(lambda: published(redis_conn, sids) == count, 600, interval=0.5, what="all verdicts")
    total_s = time.monotonic() - started_at

    verdict_keys = [
        k for k in s3_store.list(settings.verdict_bucket) if k.endswith("/verdict.json")
    ]
    per_submission = events_per_submission(redis_conn)
    duplicates = {sid: n for sid, n in per_submission.items() if n != 1}
    failed = queue.failed_job_registry.get_job_ids()
    figures = {
        "jobs": count,
        "verdicts": len(verdict_keys),
        "events": sum(per_submission.values()),
        "duplicates": len(duplicates),
        "failed": len(failed),
        "killed_job": busy_job,
        "killed_pids": killed_pids,
        "requeued_s": round(requeued_s, 1),
        "recovered_s": round(recovered_s, 1),
        "total_s": round(total_s, 1),
    }
    print("\nKILL TEST", json.dumps(figures))
    assert len(verdict_keys) == count and set(per_submission) == set(sids)
    assert duplicates == {} and failed == []
    assert (
        Job.fetch(busy_job, connection=redis_conn, serializer=JSONSerializer).get_status()
        == "finished"
    )
    for worker in (survivor, replacement):
        worker.stop()
    assert_no_personal_data(victim.log_path, survivor.log_path, replacement.log_path)


def _current_job(r: Redis, worker_name: str) -> str | None:
    """The job id a worker is executing right now, from RQ's registries."""
    queue = Queue("verification", connection=r, serializer=JSONSerializer)
    for entry in queue.started_job_registry.get_job_ids():
        job = Job.fetch(entry, connection=r, serializer=JSONSerializer)
        if job.worker_name == worker_name:
            return job.id
    return None


def test_s3_outage_jobs_retry_and_complete(  # type: ignore[no-untyped-def]
    tmp_path, settings, s3_store, s3_server, redis_conn, workers
):
    payloads = upload_cases(tmp_path, 12, s3_store, settings.upload_bucket)
    sids = [p.submission_id for p in payloads]
    worker_a, worker_b = workers("w-s3-a"), workers("w-s3-b")
    for payload in payloads[:2]:
        submit(payload, settings=settings, connection=redis_conn)
    wait_for(lambda: published(redis_conn, sids) >= 1, 120, what="a first verdict")
    s3_server.stop()
    down_at = time.monotonic()
    for payload in payloads[2:]:
        submit(payload, settings=settings, connection=redis_conn)
    time.sleep(max(0.0, 10 - (time.monotonic() - down_at)))
    s3_server.start()
    wait_for(
        lambda: published(redis_conn, sids) == len(sids), 180, interval=0.5, what="all verdicts"
    )

    queue = Queue("verification", connection=redis_conn, serializer=JSONSerializer)
    assert queue.failed_job_registry.get_job_ids() == []
    assert all(n == 1 for n in events_per_submission(redis_conn).values())
    retried = [
        line
        for w in (worker_a, worker_b)
        for line in w.log_lines()
        if line.get("msg") == "job failed, will retry"
    ]
    assert retried, "no job met the outage"
    assert all(line["error"] == "StorageError" for line in retried)
    for worker in (worker_a, worker_b):
        worker.stop()
