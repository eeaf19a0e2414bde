"""Start and stop the local services: ``redis-server`` and moto's S3 server, on loopback.

Used by ``llave-verify stack`` and by the integration tests. Both servers bind 127.0.0.1 on
a free port; the caller owns the returned :class:`subprocess.Popen` and stops it with
:func:`stop_process`. The S3 server is moto's standalone server: in-memory, so its objects
live as long as the process (no MinIO binary can be installed here).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"
#: Test credentials of the local S3 server (moto accepts any).
LOCAL_ACCESS_KEY = "llave-local"
LOCAL_SECRET_KEY = "llave-local-secret"
LOCAL_REGION = "us-east-1"


class ServiceError(RuntimeError):
    """A local service did not start or is not installed."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = LOOPBACK) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for_port(
    port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 15
) -> None:
    """Wait until ``port`` accepts connections; :class:`ServiceError` if the process exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"service on port {port} exited with code {proc.returncode}")
        time.sleep(0.05)
    raise ServiceError(f"nothing listens on port {port} after {timeout:.0f} s")


def start_redis(
    port: int, data_dir: Path, log_file: Path | None = None, persist: bool = True
) -> subprocess.Popen[bytes]:
    """Run ``redis-server`` on loopback:port, its data (AOF if ``persist``) in ``data_dir``."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceError("redis-server is not installed (apt-get install redis-server)")
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [binary, "--bind", LOOPBACK, "--port", str(port), "--dir", str(data_dir)]
    args += ["--save", "", "--protected-mode", "yes", "--daemonize", "no"]
    args += ["--appendonly", "yes" if persist else "no"]
    proc = _spawn(args, log_file)
    wait_for_port(port, proc)
    return proc


def start_s3(port: int, log_file: Path | None = None) -> subprocess.Popen[bytes]:
    """Run moto's standalone S3 server on loopback:port (in-memory)."""
    args = [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(port)]
    proc = _spawn(args, log_file)
    wait_for_port(port, proc, timeout=30)
    return proc


def _spawn(args: list[str], log_file: Path | None) -> subprocess.Popen[bytes]:
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        if log_file:
            out.close()  # type: ignore[union-attr]


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM the process, then SIGKILL it if it has not exited within ``timeout``."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def stop_pid(pid: int, timeout: float = 10) -> bool:
    """Stop a process we started earlier (known by its pid file); True if it was running."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return True


def local_s3_env(port: int) -> dict[str, str]:
    """The ``LLAVE_S3_*`` variables that point a client at the local S3 server."""
    return {
        "LLAVE_S3_ENDPOINT": f"{LOOPBACK}:{port}",
        "LLAVE_S3_ACCESS_KEY": LOCAL_ACCESS_KEY,
        "LLAVE_S3_SECRET_KEY": LOCAL_SECRET_KEY,
        "LLAVE_S3_SECURE": "false",
        "LLAVE_S3_REGION": LOCAL_REGION,
    }
