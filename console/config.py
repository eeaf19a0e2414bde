"""The console's settings: from the environment, overridable by the app factory (tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


def _env_int(name: str, default: int) -> int:
    """An integer environment variable, or ``default`` when unset or malformed."""
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class ConsoleSettings:
    """Time limits, buckets and cookie policy of the console."""

    redis_url: str = field(
        default_factory=lambda: os.environ.get("LLAVE_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    upload_bucket: str = field(
        default_factory=lambda: os.environ.get("LLAVE_UPLOAD_BUCKET", "llave-uploads")
    )
    verdict_bucket: str = field(
        default_factory=lambda: os.environ.get("LLAVE_VERDICT_BUCKET", "llave-verdicts")
    )
    #: idle session lifetime (refreshed on every request) and absolute cap, seconds
    session_idle_s: int = field(
        default_factory=lambda: _env_int("LLAVE_CONSOLE_SESSION_IDLE", 1800)
    )
    session_max_s: int = field(default_factory=lambda: _env_int("LLAVE_CONSOLE_SESSION_MAX", 28800))
    #: claim lock lifetime, seconds
    claim_ttl_s: int = field(default_factory=lambda: _env_int("LLAVE_CONSOLE_CLAIM_TTL", 1800))
    #: failed-login window and limits per username and per client IP
    login_window_s: int = 900
    login_max_per_user: int = 5
    login_max_per_ip: int = 30
    #: send cookies with the Secure flag (disable only for plain-HTTP tests)
    cookie_secure: bool = field(
        default_factory=lambda: os.environ.get("LLAVE_CONSOLE_INSECURE_COOKIES", "") != "1"
    )
    #: longest side of a document image served to the browser, pixels
    max_image_side: int = 1600

    def update(self, overrides: dict[str, Any]) -> ConsoleSettings:
        """Apply known overrides; an unknown name is a programming error."""
        for name, value in overrides.items():
            if not hasattr(self, name):
                raise AttributeError(f"unknown console setting: {name}")
            setattr(self, name, value)
        return self
