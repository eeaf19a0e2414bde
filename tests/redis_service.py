"""A private redis-server for the reliability tests (purge, faults, privacy), restartable.

Outside ``tests/integration`` (whose conftest has its own session server), so these tests run
without the S3 server. The server is a child of the test process, in its own data directory
under pytest's ``tmp_path``; ``stop()`` always runs from the fixtures' finalisers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workers.services import free_port, start_redis, stop_process


class RedisService:
    """One redis-server on a free loopback port; ``restart()`` keeps the port (and the AOF)."""

    def __init__(self, data_dir: Path, persist: bool = True) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.data_dir = data_dir
        self.persist = persist
        self.proc = start_redis(self.port, data_dir, persist=persist)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def start(self) -> None:
        """Start it again on the same port with the same data directory."""
        if self.proc is None:
            self.proc = start_redis(self.port, self.data_dir, persist=self.persist)

    def client(self):  # type: ignore[no-untyped-def]
        """A new client (decode_responses off, like the workers')."""
        from redis import Redis

        return Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=2)
