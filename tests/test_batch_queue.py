"""``batch --queue``: cases enqueued through the client, run by an RQ worker (real redis-server,
the real ``verify_submission`` job and verdict sink), verdicts gathered into OUT_DIR.

The pipeline inside the job is replaced by the recorder of test_batch.py, so this runs in
seconds; the worker is an in-process ``SimpleWorker`` started once everything is enqueued.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.orchestrator import Context
from pipeline.policy import load_policy
from tests.test_batch import fake_verify, write_case_folder
from workers.batch import FolderSource, LazyEngines, StoreSource
from workers.batch_queue import run_queued
from workers.settings import Settings
from workers.storage import LocalStore

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis")


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """redis-server on a free port, the local object store, the fake pipeline in the job."""
    from workers import jobs
    from workers.services import free_port, start_redis, stop_process

    port = free_port()
    proc = start_redis(port, tmp_path / "redis", persist=False)
    env = {"LLAVE_REDIS_URL": f"redis://127.0.0.1:{port}/0", "LLAVE_LOCAL_STORE": str(tmp_path)}
    for key in ("LLAVE_S3_ENDPOINT",):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings.from_env()
    monkeypatch.setattr("pipeline.orchestrator.verify_case", fake_verify)
    context = Context(engines=LazyEngines(), policy=load_policy())  # type: ignore[arg-type]
    jobs.install(jobs.WorkerState(settings=settings, context=context))
    jobs._CLIENTS.clear()
    try:
        yield settings
    finally:
        jobs._STATE = None
        jobs._CLIENTS.clear()
        stop_process(proc)


def work_off(settings: Settings) -> int:
    """Run every queued job in this process (an RQ SimpleWorker in burst mode)."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from workers.queue import get_queue, redis_from_url

    connection = redis_from_url(settings.redis_url)
    queue = get_queue(connection)
    count = len(queue)
    worker = SimpleWorker([queue], connection=connection, serializer=JSONSerializer)
    worker.work(burst=True)
    return count


def _gather(source, out: Path, settings: Settings, **kwargs) -> dict:  # type: ignore[no-untyped-def]
    def enqueued(done: int, total: int) -> None:
        if done == total:
            work_off(settings)

    results = run_queued(source, out, settings, poll_s=0.05, on_enqueued=enqueued, **kwargs)
    return {r.name: r for r in results}


def test_queue_run_gathers_verdicts_and_resumes(tmp_path: Path, stack: Settings) -> None:
    cases = [write_case_folder(tmp_path / "cases", i) for i in range(3)]
    (cases[2] / "selfie.jpg").unlink()  # cannot be uploaded: an error result, nothing enqueued
    out = tmp_path / "out"
    results = _gather(FolderSource(cases), out, stack)
    assert results["case-000"].decision == results["case-001"].decision == "verified"
    assert "selfie file is missing" in results["case-002"].error
    verdict = json.loads((out / "case-001.json").read_text())
    assert verdict["submission_id"] == "sub-0001" and verdict["decision"] == "verified"
    assert (out / "artefacts" / "case-001" / "face_id.jpg").read_bytes() == b"jpg"
    uploads = LocalStore(tmp_path).list(stack.upload_bucket)
    assert "sub-0000/selfie.jpg" in list(uploads)

    # interrupted gatherer: the verdict is on the store, the job finished; nothing is re-run
    (out / "case-000.json").unlink()
    again = _gather(FolderSource(cases[:2]), out, stack)
    assert list(again) == ["case-000"] and again["case-000"].decision == "verified"
    assert work_off(stack) == 0


def test_queue_run_from_a_store_prefix_enqueues_in_place(tmp_path: Path, stack: Settings) -> None:
    store = LocalStore(tmp_path)
    store.ensure_bucket("llave-cases")
    folder = write_case_folder(tmp_path / "cases", 7)
    for path in folder.iterdir():
        store.put("llave-cases", f"b1/{folder.name}/{path.name}", path.read_bytes())
    source = StoreSource(lambda: LocalStore(tmp_path), "llave-cases", "b1/")
    results = _gather(source, tmp_path / "out", stack)
    assert results["case-007"].decision == "verified"
    assert list(store.list(stack.upload_bucket)) == []  # nothing copied to the upload bucket


def test_queue_run_without_a_worker_gives_up_after_the_stall_timeout(
    tmp_path: Path, stack: Settings
) -> None:
    cases = [write_case_folder(tmp_path / "cases", 1)]
    results = list(
        run_queued(FolderSource(cases), tmp_path / "out", stack, poll_s=0.05, stall_timeout_s=0.3)
    )
    assert [r.error for r in results] == ["no result: stalled (is a worker running?)"]


def test_batch_command_queue_resumes_after_the_gatherer_gave_up(
    tmp_path: Path, stack: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from commands import main

    for i in range(2):
        write_case_folder(tmp_path / "cases", i)
    args = ["batch", str(tmp_path / "cases"), "--out", str(tmp_path / "out"), "--queue"]
    assert main([*args, "--stall-timeout", "0.2"]) == 1  # no worker yet: nothing comes back
    assert "2 case(s) failed; rerun to retry them" in capsys.readouterr().err
    assert work_off(stack) == 2  # the jobs stayed queued; a worker runs them later
    assert main(args) == 0  # the rerun enqueues nothing new and gathers both verdicts
    assert work_off(stack) == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == [
        "case-000.json",
        "case-001.json",
    ]
