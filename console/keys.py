"""Every Redis key and stream name the console reads or writes, in one place.

The workers' names (account hash, verdict events, review queue) are fixed by
``docs/architecture.md``; the ``llave:console:*`` and ``llave:audit`` names belong to the console.
"""

from __future__ import annotations

import hashlib

REVIEW_STREAM = "llave:review"
REVIEW_GROUP = "reviewers"
#: the consumer name every console instance reads the review stream as
REVIEW_CONSUMER = "console"
VERDICT_STREAM = "llave:verdicts"
AUDIT_STREAM = "llave:audit"

_PREFIX = "llave:console:"


def account(account_id: str) -> str:
    """The workers' account-status hash."""
    return f"llave:account:{account_id}"


def user(username: str) -> str:
    """A console account (role, argon2 hash)."""
    return f"{_PREFIX}user:{username}"


def session(token: str) -> str:
    """A server-side session, keyed by the sha256 of the cookie token (never the token)."""
    return f"{_PREFIX}session:{_digest(token)}"


def claim(submission_id: str) -> str:
    """The claim lock on a case (value: the username holding it)."""
    return f"{_PREFIX}claim:{submission_id}"


CLAIM_PATTERN = f"{_PREFIX}claim:*"


def decided(submission_id: str) -> str:
    """The once-only marker of a case decision (value: the deciding username)."""
    return f"{_PREFIX}decided:{submission_id}"


def login_attempts(kind: str, value: str) -> str:
    """A login-attempt counter per username or per IP (hashed: no raw input in key names)."""
    return f"{_PREFIX}login:{kind}:{_digest(value.lower())}"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
