"""The routing policy: thresholds and rules as versioned data (``policy.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_POLICY_PATH = Path(__file__).with_name("policy.toml")


class PolicyError(ValueError):
    """The policy file is missing a value or holds one of the wrong type."""


@dataclass(frozen=True)
class Policy:
    """A parsed policy file. Look values up by dotted path: ``policy.number("faces.x")``."""

    version: str
    data: dict[str, Any]

    def value(self, path: str) -> Any:
        """The raw value at a dotted path; :class:`PolicyError` when absent."""
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise PolicyError(f"policy {self.version} has no value {path!r}")
            node = node[part]
        return node

    def number(self, path: str) -> float:
        """A numeric threshold at a dotted path."""
        found = self.value(path)
        if isinstance(found, bool) or not isinstance(found, int | float):
            raise PolicyError(f"policy value {path!r} is not a number")
        return float(found)

    def integer(self, path: str) -> int:
        """An integer setting at a dotted path."""
        found = self.value(path)
        if isinstance(found, bool) or not isinstance(found, int):
            raise PolicyError(f"policy value {path!r} is not an integer")
        return found


def parse_policy(text: str) -> Policy:
    """Parse policy TOML text.

    >>> parse_policy('version = "t1"\\n[faces]\\nmax = 0.5').number("faces.max")
    0.5
    """
    data = tomllib.loads(text)
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise PolicyError("a policy needs a `version` string")
    return Policy(version=version, data=data)


def load_policy(path: str | Path | None = None) -> Policy:
    """Load the policy file at ``path`` (the bundled default when None)."""
    return parse_policy(Path(path or DEFAULT_POLICY_PATH).read_text(encoding="utf-8"))
