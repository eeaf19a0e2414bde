"""``llave-verify stack up|down|env``: a local redis-server and S3 server on loopback.

``up`` starts both on free ports (pid files, logs and Redis data under ``--state-dir``),
creates the buckets and prints the ``export`` lines the worker and the client need, so
``eval "$(llave-verify stack up)"`` configures the shell. ``env`` prints them again; ``down``
stops both. The S3 server is moto's (in-memory: objects are lost on ``down``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_STATE_DIR = Path("var/stack")
SERVICES = {"redis": "redis-server", "s3": "moto.server"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["up", "down", "env"])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)


def run(args: argparse.Namespace) -> int:
    state_dir: Path = args.state_dir.resolve()
    if args.action == "down":
        return down(state_dir)
    if args.action == "env":
        env = read_env(state_dir)
        if env is None:
            print("llave-verify: the stack is not running (llave-verify stack up)", file=sys.stderr)
            return 1
        print(render_exports(env))
        return 0
    env = read_env(state_dir) or up(state_dir)
    print(render_exports(env))
    return 0


def up(state_dir: Path) -> dict[str, str]:
    """Start redis-server and the S3 server, create the buckets, record pids and environment."""
    from workers.services import free_port, local_s3_env, start_redis, start_s3
    from workers.settings import Settings
    from workers.storage import store_from_settings

    state_dir.mkdir(parents=True, exist_ok=True)
    redis_port, s3_port = free_port(), free_port()
    redis = start_redis(redis_port, state_dir / "redis", state_dir / "redis.log")
    _write_pid(state_dir, "redis", redis.pid)
    s3 = start_s3(s3_port, state_dir / "s3.log")
    _write_pid(state_dir, "s3", s3.pid)
    env = {"LLAVE_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", **local_s3_env(s3_port)}
    env["LLAVE_UPLOAD_BUCKET"] = os.environ.get("LLAVE_UPLOAD_BUCKET", "llave-uploads")
    env["LLAVE_VERDICT_BUCKET"] = os.environ.get("LLAVE_VERDICT_BUCKET", "llave-verdicts")
    settings = Settings.from_env(env)
    store = store_from_settings(settings)
    for bucket in (settings.upload_bucket, settings.verdict_bucket):
        store.ensure_bucket(bucket)
    (state_dir / "env.json").write_text(json.dumps(env, indent=2), encoding="utf-8")
    print(
        f"stack up: redis :{redis_port} (pid {redis.pid}), s3 :{s3_port} (pid {s3.pid})",
        file=sys.stderr,
    )
    return env


def read_env(state_dir: Path) -> dict[str, str] | None:
    """The recorded environment when both services still run, else None."""
    path = state_dir / "env.json"
    if not path.is_file() or not all(_alive(state_dir, name) for name in SERVICES):
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))


def down(state_dir: Path) -> int:
    """Stop the services recorded in ``state_dir``."""
    from workers.services import stop_pid

    for name in SERVICES:
        pid = _alive(state_dir, name)
        if pid:
            stop_pid(pid)
            print(f"stack down: stopped {name} (pid {pid})", file=sys.stderr)
        (state_dir / f"{name}.pid").unlink(missing_ok=True)
    (state_dir / "env.json").unlink(missing_ok=True)
    return 0


def render_exports(env: dict[str, str]) -> str:
    """Shell ``export`` lines.

    >>> render_exports({"A": "1", "B": "x y"})
    "export A=1\\nexport B='x y'"
    """
    import shlex

    return "\n".join(f"export {key}={shlex.quote(value)}" for key, value in sorted(env.items()))


def _write_pid(state_dir: Path, name: str, pid: int) -> None:
    (state_dir / f"{name}.pid").write_text(str(pid), encoding="utf-8")


def _alive(state_dir: Path, name: str) -> int | None:
    """The pid in ``<name>.pid`` if that process runs and is the expected program."""
    try:
        pid = int((state_dir / f"{name}.pid").read_text(encoding="utf-8"))
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, ValueError):
        return None
    return pid if SERVICES[name] in cmdline else None
