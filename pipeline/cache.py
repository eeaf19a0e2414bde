"""Stage-output cache: extraction results keyed by the content hash of their inputs.

Extraction stages (document reading, faces) depend only on the uploaded bytes and the pipeline
version, so their typed outputs can be reused when a batch is re-decided under another policy.
The pipeline only sees this protocol; stores live in ``workers/``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol, TypeVar

from pydantic import BaseModel

from pipeline.version import PIPELINE_VERSION

R = TypeVar("R", bound=BaseModel)


class StageCache(Protocol):
    """Where stage outputs are kept: JSON text by key."""

    def get(self, key: str) -> str | None:
        """The JSON stored under ``key``, or None."""

    def put(self, key: str, value: str) -> None:
        """Store JSON under ``key`` (idempotent)."""


def stage_key(stage: str, *input_hashes: str) -> str:
    """The cache key of a stage run on inputs identified by their sha256.

    >>> stage_key("faces", "ab", "cd") == stage_key("faces", "ab", "cd")
    True
    >>> stage_key("faces", "ab", "cd") == stage_key("faces", "cd", "ab")
    False
    """
    text = "|".join((stage, PIPELINE_VERSION, *input_hashes))
    return f"{stage}/{hashlib.sha256(text.encode()).hexdigest()}"


def cached(
    cache: StageCache | None,
    key: str,
    model: type[R],
    compute: Callable[[], R],
) -> R:
    """Return the cached output under ``key`` or compute, store and return it."""
    if cache is None:
        return compute()
    hit = cache.get(key)
    if hit is not None:
        try:
            return model.model_validate_json(hit)
        except ValueError:
            pass  # stale schema: recompute
    result = compute()
    cache.put(key, result.model_dump_json())
    return result
