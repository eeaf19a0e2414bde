"""Faults: broken infrastructure is retried, never turned into a verdict; no job is lost, no
verdict is published twice, and the JSON logs say what happened.

The jobs run through the production path: ``workers.client.submit`` enqueues on a real
redis-server (``tests/redis_service.py``), an ``LlaveWorker`` (RQ's forking worker with our
retry classification, in burst mode in this process) runs ``workers.jobs.verify_submission``
with the real engines, a ``LocalStore`` holds the objects. Tesseract is replaced by a wrapper
script that crashes, hangs or stalls on its next call and otherwise runs the real binary.

Covered by the worker integration tests (real ``run_worker.py`` subprocesses, real S3 server),
not repeated here: a worker SIGKILLed mid-job (``tests/integration/test_workers.py::
test_killed_worker_loses_and_duplicates_nothing``: 100 jobs, no loss, no duplicate) and S3
down for 10 s during a run (``test_s3_outage_jobs_retry_and_complete``). Here S3 unreachable is
checked at the job boundary (a ``StorageError``, which RQ retries).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.engines import Engines
from pipeline.engines.tesseract import OcrEngine
from pipeline.errors import EngineCrashed, EngineTimeout, StorageError
from pipeline.orchestrator import Context
from tests import hostile
from tests.redis_service import RedisService
from workers import accounts, jobs
from workers.client import submit
from workers.queue import get_queue, job_id_for
from workers.settings import Settings
from workers.storage import LocalStore
from workers.worker import JsonFormatter, LlaveWorker, retryable

REAL_TESSERACT = shutil.which("tesseract") or "/usr/bin/tesseract"
UPLOADS = "llave-uploads"
#: the OCR time limit of these workers (a stall of 2 s plus a real call stays well within it)
OCR_TIMEOUT = 5.0


# --------------------------------------------------------------------------- fixtures


class FakeTesseract:
    """A ``tesseract`` wrapper whose next call crashes, hangs or stalls when told to."""

    def __init__(self, folder: Path) -> None:
        self.control = folder / "control"
        self.control.mkdir(parents=True)
        self.marker = f"llave-fake-tesseract-{uuid.uuid4().hex[:8]}"
        self.path = folder / "tesseract"
        self.path.write_text(
            "#!/bin/bash\n"
            f'CTRL="{self.control}"\n'
            'case " $* " in *" --version "*|*" --list-langs "*) '
            f'exec "{REAL_TESSERACT}" "$@";; esac\n'
            'echo call >> "$CTRL/calls"\n'
            'if [ -e "$CTRL/crash" ]; then rm -f "$CTRL/crash"; kill -SEGV $$; fi\n'
            f'if [ -e "$CTRL/hang" ]; then rm -f "$CTRL/hang"; exec -a {self.marker} sleep 120; fi\n'
            'if [ -e "$CTRL/stall" ]; then rm -f "$CTRL/stall"; touch "$CTRL/stalled"; '
            f"sleep 2; fi\n"
            f'exec "{REAL_TESSERACT}" "$@"\n'
        )
        self.path.chmod(0o755)

    def next_call(self, fault: str) -> None:
        """Make the next OCR call ``crash``, ``hang`` or ``stall``."""
        (self.control / fault).touch()

    def pending(self, fault: str) -> bool:
        return (self.control / fault).exists()

    def calls(self) -> int:
        path = self.control / "calls"
        return len(path.read_text().splitlines()) if path.exists() else 0

    def hung_processes(self) -> list[int]:
        """Pids of hung calls still alive (must be none: the timeout kills them)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if self.marker.encode() in (entry / "cmdline").read_bytes():
                        found.append(int(entry.name))
        return found


@pytest.fixture(scope="module")
def redis_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisService]:
    service = RedisService(tmp_path_factory.mktemp("redis-faults"), persist=True)
    yield service
    service.stop()


@pytest.fixture
def r(redis_service: RedisService):  # type: ignore[no-untyped-def]
    redis_service.start()
    client = redis_service.client()
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeTesseract]:
    tesseract = FakeTesseract(tmp_path / "fake")
    yield tesseract
    for pid in tesseract.hung_processes():  # only if a test failed half-way
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)


@pytest.fixture
def settings(redis_service: RedisService, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "LLAVE_REDIS_URL": redis_service.url,
            "LLAVE_LOCAL_STORE": str(tmp_path / "objects"),
            "LLAVE_RETRY_INTERVALS": "0,0",
            "LLAVE_MONITORING_INTERVAL": "1",
            "LLAVE_HEARTBEAT_GRACE": "2",
            "LLAVE_MAINTENANCE_INTERVAL": "1",
            "LLAVE_JOB_TIMEOUT": "120",
        }
    )


@pytest.fixture
def context(engines, policy, fake: FakeTesseract) -> Context:  # type: ignore[no-untyped-def]
    """The real engines, with OCR through the wrapper and a short OCR time limit."""
    ocr = OcrEngine(timeout=OCR_TIMEOUT, tesseract_cmd=str(fake.path))
    return Context(engines=Engines(ocr=ocr, pdf=engines.pdf, faces=engines.faces), policy=policy)


@pytest.fixture
def installed(settings: Settings, context: Context, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The worker state of this test (restored afterwards)."""
    monkeypatch.setattr(jobs, "_STATE", jobs.WorkerState(settings=settings, context=context))
    monkeypatch.setattr(jobs, "_CLIENTS", {})
    return settings


def upload_payload(settings: Settings, sid: str, address_proof: bytes) -> dict:
    """A submission whose only readable upload is the proof of address (so only it is OCRed):
    the other roles are empty files, a FILE_INVALID verdict in a fraction of a second."""
    store = LocalStore(settings.local_root)
    payload = {**hostile.payload_dict(sid), "bucket": UPLOADS}
    for role, key in payload["documents"].items():
        if role != "id_type":
            store.put(UPLOADS, key, address_proof if role == "address_proof" else b"")
    return payload


@contextlib.contextmanager
def json_logs(path: Path) -> Iterator[None]:
    """Every logger (ours and RQ's) to ``path`` as the workers' JSON lines, DEBUG and up."""
    handler = logging.FileHandler(path)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


def log_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def work(settings: Settings, r, log_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Run an LlaveWorker in burst mode until the queue is empty (forks one horse per job)."""
    queue = get_queue(r)
    worker = LlaveWorker.configured(
        settings, [queue], name=f"w-{uuid.uuid4().hex[:6]}", connection=r
    )
    with json_logs(log_path):
        try:
            worker.work(burst=True, with_scheduler=False, logging_level="DEBUG")
        except BaseException:
            _kill_horse(worker)  # what PR_SET_PDEATHSIG does when a real worker process dies
            raise
        finally:  # a worker that died with Redis leaves its pub/sub thread behind
            thread = getattr(worker, "pubsub_thread", None)
            if thread is not None and thread.is_alive():
                thread.stop()
                thread.join(5)


def _kill_horse(worker: LlaveWorker) -> None:
    pid = getattr(worker, "horse_pid", 0)
    if pid:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, 9)
            os.waitpid(pid, 0)


def job_status(r, sid: str) -> str:  # type: ignore[no-untyped-def]
    from rq.job import Job
    from rq.serializers import JSONSerializer

    status = Job.fetch(job_id_for(sid), connection=r, serializer=JSONSerializer).get_status()
    return str(getattr(status, "value", status))


def assert_one_verdict(r, settings: Settings, sid: str) -> None:  # type: ignore[no-untyped-def]
    events = accounts.events_for(r, sid)
    assert len(events) == 1, events
    assert LocalStore(settings.local_root).stat(settings.verdict_bucket, f"{sid}/verdict.json")


def assert_no_personal_data(path: Path) -> None:
    text = path.read_text()
    for value in ("PRUEBA", "HOSTIL", "XEXX010101HDFXXX04", "CALLE INVENTADA"):
        assert value not in text


# --------------------------------------------------------------------------- tesseract


@pytest.mark.parametrize(("fault", "error"), [("crash", EngineCrashed), ("hang", EngineTimeout)])
def test_tesseract_fault_is_retried_then_one_verdict(  # type: ignore[no-untyped-def]
    fault, error, installed, fake, r, tmp_path
) -> None:
    sid = f"sub-{fault}"
    submit(upload_payload(installed, sid, hostile.jpeg()), settings=installed, connection=r)
    fake.next_call(fault)
    started = time.monotonic()
    work(installed, r, tmp_path / "worker.log")
    elapsed = time.monotonic() - started

    assert not fake.pending(fault), "the fault never happened"
    assert fake.hung_processes() == []
    assert job_status(r, sid) == "finished"
    assert_one_verdict(r, installed, sid)
    lines = log_lines(tmp_path / "worker.log")
    retried = [line for line in lines if line["msg"] == "job failed, will retry"]
    assert [(line["submission_id"], line["error"]) for line in retried] == [(sid, error.__name__)]
    stored = [line for line in lines if line["msg"] == "verdict stored"]
    assert [line["submission_id"] for line in stored] == [sid]
    assert elapsed < 60
    assert_no_personal_data(tmp_path / "worker.log")


def test_ocr_engine_raises_typed_errors(fake: FakeTesseract) -> None:
    """The engine's own contract, without the worker: crash and hang are EngineErrors, which
    the worker retries; the hung process is killed at the time limit."""
    import numpy as np

    engine = OcrEngine(timeout=1.5, tesseract_cmd=str(fake.path))
    page = np.full((60, 200), 255, dtype=np.uint8)
    fake.next_call("crash")
    with pytest.raises(EngineCrashed) as crashed:
        engine.text(page)
    fake.next_call("hang")
    started = time.monotonic()
    with pytest.raises(EngineTimeout):
        engine.text(page)
    assert time.monotonic() - started < 10 and fake.hung_processes() == []
    assert retryable(EngineCrashed) and retryable(EngineTimeout)
    assert str(crashed.value).startswith("tesseract")  # names the engine, never the text


# --------------------------------------------------------------------------- redis, S3


def test_redis_restart_mid_job_loses_and_duplicates_nothing(  # type: ignore[no-untyped-def]
    installed, fake, r, redis_service, tmp_path
) -> None:
    """Redis stops while a job is inside tesseract and comes back 1.5 s later (append-only
    file: the queue survives). A worker that loses Redis mid-job dies; the restarted worker
    (what the service manager does) finds the job abandoned, retries it, publishes once."""
    sid = "sub-redis-restart"
    submit(upload_payload(installed, sid, hostile.jpeg()), settings=installed, connection=r)
    fake.next_call("stall")

    def restart_when_stalled() -> None:
        deadline = time.monotonic() + 60
        while not (fake.control / "stalled").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        redis_service.stop()
        time.sleep(1.5)
        redis_service.start()

    bouncer = threading.Thread(target=restart_when_stalled, daemon=True)
    bouncer.start()
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    try:
        work(installed, r, first_log)
    except Exception as exc:  # noqa: BLE001 - the worker dying with Redis is the scenario
        logging.getLogger("test").info("first worker died: %s", type(exc).__name__)
    bouncer.join(30)
    deadline = time.monotonic() + 60
    while job_status(r, sid) != "finished" and time.monotonic() < deadline:
        time.sleep(1)  # the job's heartbeat expires (interval + grace), then it is requeued
        work(installed, r, second_log)

    assert job_status(r, sid) == "finished"
    assert_one_verdict(r, installed, sid)
    logged = log_lines(first_log) + (log_lines(second_log) if second_log.exists() else [])
    died = [line for line in logged if "unhandled exception, quitting" in line["msg"]]
    assert died and died[0]["exception"] == "ConnectionError"
    recovered = [line for line in logged if line["msg"] == "job failed, will retry"]
    assert "AbandonedJobError" in {line["error"] for line in recovered}
    published = [line["new_event"] for line in logged if line["msg"] == "verdict stored"]
    assert published.count(True) == 1, published  # reruns find the event already published
    assert_no_personal_data(first_log)


def test_s3_unreachable_is_a_storage_error(installed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The job raises StorageError (retried by RQ), it does not make a FILE_INVALID verdict."""
    from workers.services import free_port

    unreachable = Settings.from_env(
        {
            "LLAVE_REDIS_URL": installed.redis_url,
            "LLAVE_S3_ENDPOINT": f"127.0.0.1:{free_port()}",
            "LLAVE_S3_SECURE": "false",
            "LLAVE_S3_REGION": "us-east-1",
            "LLAVE_S3_ACCESS_KEY": "k",
            "LLAVE_S3_SECRET_KEY": "s",
        }
    )
    state = jobs._STATE
    monkeypatch.setattr(jobs, "_STATE", replace(state, settings=unreachable))  # type: ignore[type-var]
    started = time.monotonic()
    with pytest.raises(StorageError) as raised:
        jobs.verify_submission(hostile.payload_dict("sub-s3-down"))
    assert time.monotonic() - started < 30
    assert retryable(type(raised.value))
    assert "PRUEBA" not in str(raised.value) and "XEXX" not in str(raised.value)


# --------------------------------------------------------------------------- disk full


@pytest.fixture
def full_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """TMPDIR on an 8 MB tmpfs with 8 KB left (root can mount; elsewhere: skipped).

    8 MB, so that once the filler goes, OCR's uncompressed temporary images fit again."""
    import tempfile

    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        with open(mount / "filler", "wb") as handle:
            handle.write(b"\0" * ((8 * 1024 - 8) * 1024))
        monkeypatch.setenv("TMPDIR", str(mount))
        monkeypatch.setattr(tempfile, "tempdir", str(mount))
        yield mount
    finally:
        monkeypatch.setattr(tempfile, "tempdir", None)
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_temporary_disk_full_fails_cleanly_and_is_retried(  # type: ignore[no-untyped-def]
    installed, r, full_tmpdir, tmp_path
) -> None:
    """A scanned bill (a PDF without text) must be rendered in the temporary directory: on a
    full disk the job is retried, then parked in RQ's failed registry (no verdict, nothing
    published); once space is freed, requeueing it gives exactly one verdict."""
    from rq.registry import FailedJobRegistry

    sid = "sub-disk-full"
    scanned_bill = hostile.pdf_pages(1, "", size=(300, 200))  # small: cheap to OCR once rendered
    submit(upload_payload(installed, sid, scanned_bill), settings=installed, connection=r)
    work(installed, r, tmp_path / "full.log")

    assert job_status(r, sid) == "failed"
    assert accounts.events_for(r, sid) == [] and accounts.get_submission_record(r, sid) is None
    lines = log_lines(tmp_path / "full.log")
    attempts = [line for line in lines if line["msg"] == "job failed, will retry"]
    assert {line["error"] for line in attempts} == {"EngineCrashed"}
    assert [line["retries_left"] for line in attempts] == [2, 1, 0]  # first run + 2 retries

    (full_tmpdir / "filler").unlink()
    FailedJobRegistry(queue=get_queue(r)).requeue(job_id_for(sid))
    work(installed, r, tmp_path / "after.log")
    assert job_status(r, sid) == "finished"
    assert_one_verdict(r, installed, sid)


def test_store_write_on_full_disk_is_a_storage_error(full_tmpdir: Path) -> None:
    store = LocalStore(full_tmpdir / "objects")
    with pytest.raises(StorageError) as raised:
        store.put("llave-verdicts", "sub-1/verdict.json", b"x" * 100_000)
    assert "No space left" in str(raised.value) and retryable(StorageError)
    assert not [p for p in (full_tmpdir / "objects").rglob("*") if p.is_file()]
