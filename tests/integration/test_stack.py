"""The documented local run, through the CLI: stack up, enqueue, a burst worker, status, stack down."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from tests.integration.cases import make_case
from tests.integration.conftest import FAST_WORKER_ENV, REPO


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commands", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def parse_exports(text: str) -> dict[str, str]:
    env = {}
    for line in text.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = shlex.split(value)[0]
    return env


def test_full_local_run(tmp_path: Path) -> None:
    state = tmp_path / "stack"
    up = cli("stack", "up", "--state-dir", str(state))
    assert up.returncode == 0, up.stderr
    try:
        env = parse_exports(up.stdout)
        assert env["LLAVE_S3_SECURE"] == "false" and env["LLAVE_REDIS_URL"].startswith(
            "redis://127.0.0.1:"
        )
        assert (
            parse_exports(cli("stack", "up", "--state-dir", str(state)).stdout) == env
        )  # idempotent
        case = make_case(tmp_path / "cases", 21)

        enqueued = cli("enqueue", str(case), env=env)
        assert enqueued.returncode == 0, enqueued.stderr
        assert enqueued.stdout.strip() == "sub-0021"
        again = cli("enqueue", str(case), env=env)
        assert again.stdout.strip() == "sub-0021" and "already queued" in again.stderr
        queued = json.loads(cli("status", "sub-0021", env=env).stdout)
        assert queued == {"submission_id": "sub-0021", "job": "queued"}

        worker = subprocess.run(
            [sys.executable, "run_worker.py", "--burst", "--name", "w-stack"],
            cwd=REPO,
            env={**os.environ, **env, **FAST_WORKER_ENV, "LLAVE_WARMUP": "1"},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert worker.returncode == 0, worker.stderr[-2000:]
        assert "worker warmed up" in worker.stderr
        done = json.loads(cli("status", "sub-0021", env=env).stdout)
        assert done["job"] == "finished" and done["verdict"]["submission_id"] == "sub-0021"
        assert done["verdict"]["decision"] == "resubmit"
        assert "not found" not in cli("status", "nope", env=env).stderr
        assert cli("status", "nope", env=env).returncode == 1
    finally:
        down = cli("stack", "down", "--state-dir", str(state))
    assert down.returncode == 0
    assert not (state / "redis.pid").exists() and not (state / "s3.pid").exists()
    assert cli("stack", "env", "--state-dir", str(state)).returncode == 1
