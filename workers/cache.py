"""A stage cache on the local disk: one JSON file per key (see ``pipeline.cache``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class DirectoryCache:
    """Stage outputs as files under ``root``; writes are atomic, so parallel runs may share it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        stage, _, digest = key.partition("/")
        return self.root / stage / digest[:2] / f"{digest}.json"

    def get(self, key: str) -> str | None:
        """The JSON stored under ``key``, or None."""
        try:
            return self._path(key).read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return None

    def put(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing any earlier copy atomically."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value)
        os.replace(tmp, path)

    def delete_prefix(self, stage: str) -> int:
        """Remove every cached output of one stage; returns how many files went."""
        removed = 0
        for path in (self.root / stage).rglob("*.json"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed
