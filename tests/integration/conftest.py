"""Real services for the worker tests: redis-server and moto's S3 server on free loopback ports,
RQ workers as subprocesses (``run_worker.py``).

The S3 server runs in this test process (``ThreadedMotoServer``) so that a test can stop it and
start it again on the same port with its objects intact (moto's state is per process).
Worker timings are shortened through the environment (monitoring every second, a job counts as
abandoned three seconds after its last heartbeat), so recovery tests run in seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from workers.services import (
    free_port,
    local_s3_env,
    port_open,
    start_redis,
    stop_process,
    wait_for_port,
)
from workers.settings import Settings
from workers.storage import S3Store

REPO = Path(__file__).resolve().parents[2]
FAST_WORKER_ENV = {
    "LLAVE_MONITORING_INTERVAL": "1",
    "LLAVE_HEARTBEAT_GRACE": "3",
    "LLAVE_MAINTENANCE_INTERVAL": "2",
    "LLAVE_WORKER_TTL": "20",
    "LLAVE_RETRY_INTERVALS": "0,1,2,3,4,5,5,5",
    "LLAVE_JOB_TIMEOUT": "120",
    "OMP_THREAD_LIMIT": "1",
    "LLAVE_WARMUP": "0",  # test_stack runs the warm-up; the other tests start many workers
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: needs redis-server and the S3 server (started by fixtures)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.integration)


# --------------------------------------------------------------------------- services


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server; yields its URL."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = start_redis(port, tmp_path_factory.mktemp("redis"), persist=False)
    yield f"redis://127.0.0.1:{port}/0"
    stop_process(proc)


@pytest.fixture
def redis_conn(redis_server: str):  # type: ignore[no-untyped-def]
    """A client on an emptied database."""
    from redis import Redis

    connection = Redis.from_url(redis_server)
    connection.flushdb()
    yield connection
    connection.close()


class MotoS3:
    """moto's S3 server in this process, restartable on the same port (state survives)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.server = None

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        deadline = time.monotonic() + 5
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[MotoS3]:
    """The S3 server (moto, real HTTP on loopback)."""
    server = MotoS3(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack_env(redis_server: str, s3_server: MotoS3, redis_conn) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Environment for workers and clients: this test's own buckets, fast recovery timings."""
    tag = uuid.uuid4().hex[:8]
    env = {
        "LLAVE_REDIS_URL": redis_server,
        **local_s3_env(s3_server.port),
        "LLAVE_UPLOAD_BUCKET": f"up-{tag}",
        "LLAVE_VERDICT_BUCKET": f"verdicts-{tag}",
        **FAST_WORKER_ENV,
    }
    settings = Settings.from_env(env)
    store = S3Store(settings.s3)  # type: ignore[arg-type]
    store.ensure_bucket(settings.upload_bucket)
    store.ensure_bucket(settings.verdict_bucket)
    return env


@pytest.fixture
def settings(stack_env: dict[str, str]) -> Settings:
    return Settings.from_env(stack_env)


@pytest.fixture
def s3_store(settings: Settings) -> S3Store:
    return S3Store(settings.s3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- workers


def _kill_all(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


class WorkerProcess:
    """One ``run_worker.py`` subprocess (its own session, so its horse can be found)."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, burst: bool = False) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        args = [sys.executable, str(REPO / "run_worker.py"), "--name", name]
        if burst:
            args.append("--burst")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                args,
                cwd=REPO,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def children(self) -> list[int]:
        """Pids of the worker's direct children (work horse, scheduler)."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def kill_hard(self) -> list[int]:
        """SIGKILL the worker and its children at once, as if its machine died."""
        pids = [self.pid, *self.children()]
        _kill_all(pids)
        self.proc.wait(10)
        return pids

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL of the whole session if it hangs."""
        if self.proc.poll() is None:
            children = self.children()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill_hard()
            _kill_all(children)

    def log_lines(self) -> list[dict]:
        """The worker's JSON log lines (other lines are ignored)."""
        lines = []
        for raw in self.log_path.read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
        return lines


@pytest.fixture
def workers(stack_env: dict[str, str], tmp_path: Path):  # type: ignore[no-untyped-def]
    """Factory: ``workers(name)`` starts a worker; all are stopped at teardown."""
    started: list[WorkerProcess] = []

    def start(name: str, burst: bool = False, env: dict[str, str] | None = None) -> WorkerProcess:
        worker = WorkerProcess(name, {**stack_env, **(env or {})}, tmp_path, burst=burst)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
        tail = worker.log_path.read_text(errors="replace").splitlines()[-15:]
        print(
            f"--- {worker.name} (exit {worker.proc.returncode}), last log lines:", *tail, sep="\n"
        )
