"""Worker, storage and queue settings, read from the environment (``LLAVE_*``).

Every value has a production default; tests and the local stack override them through the
environment. See ``docs/workers.md`` for the table of variables and why each default was chosen.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

QUEUE_NAME = "verification"


def parse_bool(text: str) -> bool:
    """Read a boolean environment value.

    >>> parse_bool("true"), parse_bool("0"), parse_bool(" YES ")
    (True, False, True)
    >>> parse_bool("maybe")
    Traceback (most recent call last):
    ...
    ValueError: not a boolean: 'maybe'
    """
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def parse_intervals(text: str) -> list[int]:
    """Read a comma-separated list of retry intervals in seconds.

    >>> parse_intervals("5, 15,60")
    [5, 15, 60]
    >>> parse_intervals("5,-1")
    Traceback (most recent call last):
    ...
    ValueError: retry intervals must be non-negative integers
    """
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or any(v < 0 for v in values):
        raise ValueError("retry intervals must be non-negative integers")
    return values


@dataclass(frozen=True)
class S3Settings:
    """How to reach the S3-compatible object store (MinIO API)."""

    endpoint: str
    access_key: str
    secret_key: str = field(repr=False)
    secure: bool = True
    region: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything a worker or the backend client needs to know about its environment."""

    redis_url: str = "redis://127.0.0.1:6379/0"
    upload_bucket: str = "llave-uploads"
    verdict_bucket: str = "llave-verdicts"
    s3: S3Settings | None = None
    local_root: str = "var/objects"
    max_upload_bytes: int = 20_000_000
    job_timeout: int = 300
    result_ttl: int = 24 * 3600
    failure_ttl: int = 7 * 24 * 3600
    queued_ttl: int = 24 * 3600
    retry_intervals: list[int] = field(default_factory=lambda: [0, 10, 30, 90, 300, 600])
    monitoring_interval: int = 10
    heartbeat_grace: int = 20
    maintenance_interval: int = 30
    worker_ttl: int = 60
    warm_up: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``LLAVE_*`` variables (``os.environ`` by default)."""
        env = os.environ if env is None else env
        base = cls()

        def num(name: str, default: int) -> int:
            return int(env.get(name, default))

        return cls(
            redis_url=env.get("LLAVE_REDIS_URL", base.redis_url),
            upload_bucket=env.get("LLAVE_UPLOAD_BUCKET", base.upload_bucket),
            verdict_bucket=env.get("LLAVE_VERDICT_BUCKET", base.verdict_bucket),
            s3=_s3_from_env(env),
            local_root=env.get("LLAVE_LOCAL_STORE", base.local_root),
            max_upload_bytes=num("LLAVE_MAX_UPLOAD_BYTES", base.max_upload_bytes),
            job_timeout=num("LLAVE_JOB_TIMEOUT", base.job_timeout),
            result_ttl=num("LLAVE_RESULT_TTL", base.result_ttl),
            failure_ttl=num("LLAVE_FAILURE_TTL", base.failure_ttl),
            queued_ttl=num("LLAVE_QUEUED_TTL", base.queued_ttl),
            retry_intervals=parse_intervals(env["LLAVE_RETRY_INTERVALS"])
            if env.get("LLAVE_RETRY_INTERVALS")
            else base.retry_intervals,
            monitoring_interval=num("LLAVE_MONITORING_INTERVAL", base.monitoring_interval),
            heartbeat_grace=num("LLAVE_HEARTBEAT_GRACE", base.heartbeat_grace),
            maintenance_interval=num("LLAVE_MAINTENANCE_INTERVAL", base.maintenance_interval),
            worker_ttl=num("LLAVE_WORKER_TTL", base.worker_ttl),
            warm_up=parse_bool(env.get("LLAVE_WARMUP", "true")),
        )


def _s3_from_env(env: Mapping[str, str]) -> S3Settings | None:
    """The S3 settings, or None when ``LLAVE_S3_ENDPOINT`` is unset (local directory store)."""
    endpoint = env.get("LLAVE_S3_ENDPOINT", "").strip()
    if not endpoint:
        return None
    for prefix in ("http://", "https://"):
        if endpoint.startswith(prefix):
            endpoint = endpoint[len(prefix) :]
    return S3Settings(
        endpoint=endpoint.rstrip("/"),
        access_key=env.get("LLAVE_S3_ACCESS_KEY", ""),
        secret_key=env.get("LLAVE_S3_SECRET_KEY", ""),
        secure=parse_bool(env.get("LLAVE_S3_SECURE", "true")),
        region=env.get("LLAVE_S3_REGION") or None,
    )
