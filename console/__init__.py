"""The reviewers' web console: a Flask app over the review stream and the verdict store.

``create_app()`` builds it from the environment (``LLAVE_REDIS_URL``, buckets, store); tests
pass their own Redis client, store and settings. See ``docs/console.md``.
"""

from __future__ import annotations

from typing import Any

from console.config import ConsoleSettings

__all__ = ["ConsoleSettings", "create_app"]


def create_app(
    settings: ConsoleSettings | None = None,
    *,
    redis_client: Any = None,
    store: Any = None,
    **overrides: Any,
):  # type: ignore[no-untyped-def]
    """The console's Flask app; unspecified services come from the ``LLAVE_*`` environment."""
    from console.app import build

    settings = (settings or ConsoleSettings()).update(overrides)
    return build(settings, redis_client=redis_client, store=store)
