"""Claims: a reviewer's exclusive lock on a case, in Redis, with an expiry (SET NX PX)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from console import keys

# Compare-and-delete / compare-and-extend: only the holder may release or renew its claim.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


@dataclass(frozen=True)
class Claim:
    """Who holds a case and for how long still."""

    submission_id: str
    holder: str
    remaining_s: int


class Claims:
    """Claim locks on cases, one key per submission."""

    def __init__(self, r: redis.Redis, ttl_s: int):
        self.r = r
        self.ttl_ms = int(ttl_s * 1000)

    def acquire(self, submission_id: str, username: str) -> bool:
        """Claim a case; True if ``username`` holds it now (new claim or renewed own claim)."""
        key = keys.claim(submission_id)
        if self.r.set(key, username, nx=True, px=self.ttl_ms):
            return True
        return bool(self.r.eval(_RENEW, 1, key, username, self.ttl_ms))

    def release(self, submission_id: str, username: str) -> bool:
        """Release one's own claim; False if someone else (or no one) holds it."""
        return bool(self.r.eval(_RELEASE, 1, keys.claim(submission_id), username))

    def holder(self, submission_id: str) -> str | None:
        """The username holding the case, or None."""
        value = self.r.get(keys.claim(submission_id))
        return value.decode() if isinstance(value, bytes) else value

    def force_release(self, submission_id: str) -> str | None:
        """Supervisor: drop whoever's claim; returns the previous holder."""
        previous = self.r.getdel(keys.claim(submission_id))
        return previous.decode() if isinstance(previous, bytes) else previous

    def assign(self, submission_id: str, username: str) -> str | None:
        """Supervisor: give the case to ``username`` (fresh expiry); returns the previous holder."""
        previous: Any = self.r.set(keys.claim(submission_id), username, px=self.ttl_ms, get=True)
        return previous.decode() if isinstance(previous, bytes) else previous

    def of(self, submission_ids: list[str]) -> dict[str, Claim]:
        """The live claims among ``submission_ids``."""
        pipe = self.r.pipeline(transaction=False)
        for sid in submission_ids:
            pipe.get(keys.claim(sid))
            pipe.pttl(keys.claim(sid))
        values = pipe.execute()
        claims = {}
        for i, sid in enumerate(submission_ids):
            holder, ttl = values[2 * i], values[2 * i + 1]
            if holder is not None and ttl and ttl > 0:
                name = holder.decode() if isinstance(holder, bytes) else holder
                claims[sid] = Claim(sid, name, max(1, int(ttl) // 1000))
        return claims

    def all(self) -> list[Claim]:
        """Every live claim, by submission id."""
        prefix = keys.claim("")
        sids = [
            (k.decode() if isinstance(k, bytes) else k)[len(prefix) :]
            for k in self.r.scan_iter(match=keys.CLAIM_PATTERN, count=500)
        ]
        return sorted(self.of(sids).values(), key=lambda c: c.submission_id)
