"""Sessions, CSRF tokens and login rate limits.

Sessions live server-side in Redis (``llave:console:session:<sha256(token)>``); the browser only
holds a random token in an HttpOnly, SameSite=Strict cookie. A session expires after
``session_idle_s`` without requests and ``session_max_s`` after login, whichever comes first,
and logging out deletes it. Every state-changing request carries the session's CSRF token
(form field ``csrf_token`` or header ``X-CSRF-Token``); the login form, which has no session
yet, uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

import redis

from console import keys
from console.users import User

SESSION_COOKIE = "llave_sesion"
PRELOGIN_COOKIE = "llave_prelogin"


@dataclass(frozen=True)
class Session:
    """A logged-in reviewer's session."""

    token: str
    username: str
    csrf: str
    created_at: float


class Sessions:
    """Server-side sessions with idle and absolute expiry."""

    def __init__(self, r: redis.Redis, idle_s: int, max_s: int):
        self.r = r
        self.idle_s = idle_s
        self.max_s = max_s

    def create(self, user: User) -> Session:
        """Start a session for ``user``; returns it with its fresh token and CSRF secret."""
        session = Session(
            secrets.token_urlsafe(32), user.username, secrets.token_urlsafe(32), time.time()
        )
        key = keys.session(session.token)
        mapping: dict[str | bytes, str | float] = {
            "username": user.username,
            "csrf": session.csrf,
            "created_at": session.created_at,
        }
        with self.r.pipeline() as pipe:
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, self.idle_s)
            pipe.execute()
        return session

    def load(self, token: str | None) -> Session | None:
        """The live session of a cookie token (idle timer refreshed), else None."""
        if not token or len(token) > 100:
            return None
        key = keys.session(token)
        data = self.r.hgetall(key)
        if not data:
            return None
        fields = {_text(k): _text(v) for k, v in data.items()}
        created = float(fields.get("created_at", 0))
        if time.time() - created > self.max_s:
            self.r.delete(key)
            return None
        self.r.expire(key, self.idle_s)
        return Session(token, fields["username"], fields["csrf"], created)

    def end(self, token: str) -> None:
        """Log out: delete the session."""
        self.r.delete(keys.session(token))

    def flash(self, token: str, message: str, kind: str = "ok") -> None:
        """Keep one message for the next page of this session."""
        self.r.hset(keys.session(token), mapping={"flash": message, "flash_kind": kind})

    def pop_flash(self, token: str) -> tuple[str, str] | None:
        """The pending message of this session, once."""
        key = keys.session(token)
        with self.r.pipeline() as pipe:
            pipe.hmget(key, "flash", "flash_kind")
            pipe.hdel(key, "flash", "flash_kind")
            (message, kind), _ = pipe.execute()
        return (_text(message), _text(kind or b"ok")) if message else None


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two tokens; missing or empty never matches.

    >>> same_token("abc", "abc"), same_token("abc", "abd"), same_token("", ""), same_token("a", None)
    (True, False, False, False)
    """
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class LoginLimiter:
    """Fixed-window limits on login attempts per username and per client IP."""

    def __init__(self, r: redis.Redis, window_s: int, per_user: int, per_ip: int):
        self.r = r
        self.window_s = window_s
        self.limits = {"user": per_user, "ip": per_ip}

    def blocked(self, username: str, ip: str) -> int:
        """Seconds to wait if either counter is at its limit, else 0."""
        wait = 0
        for kind, value in (("user", username), ("ip", ip)):
            key = keys.login_attempts(kind, value)
            count = int(self.r.get(key) or 0)
            if count >= self.limits[kind]:
                wait = max(wait, int(self.r.ttl(key)), 1)
        return wait

    def failed(self, username: str, ip: str) -> None:
        """Count one failed attempt against both the username and the IP."""
        with self.r.pipeline() as pipe:
            for kind, value in (("user", username), ("ip", ip)):
                key = keys.login_attempts(kind, value)
                pipe.incr(key)
                pipe.expire(key, self.window_s, nx=True)
            pipe.execute()

    def succeeded(self, username: str) -> None:
        """A correct password clears the username's counter (not the IP's)."""
        self.r.delete(keys.login_attempts("user", username))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
