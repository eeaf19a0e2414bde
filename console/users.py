"""Console accounts: reviewers and supervisors, argon2id password hashes, stored in Redis."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from console import keys

ROLES = ("reviewer", "supervisor")
MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,31}$")
_HASHER = PasswordHasher()
# Verified against when the username is unknown, so both paths cost one argon2 hash.
_DUMMY_HASH = _HASHER.hash("llave-console-dummy-password")


class UserError(ValueError):
    """An invalid username, role or password (the message never contains the password)."""


@dataclass(frozen=True)
class User:
    """A console account."""

    username: str
    role: str
    active: bool = True

    @property
    def is_supervisor(self) -> bool:
        """Supervisors see the audit log and manage claims."""
        return self.role == "supervisor"


def check_username(username: str) -> str:
    """A lowercase staff login name, 3 to 32 characters.

    >>> check_username("ana.perez")
    'ana.perez'
    >>> check_username("A b")
    Traceback (most recent call last):
    ...
    console.users.UserError: usernames are 3-32 characters: a-z, 0-9, '.', '_', '-'
    """
    if not _USERNAME.match(username):
        raise UserError("usernames are 3-32 characters: a-z, 0-9, '.', '_', '-'")
    return username


def check_password(password: str) -> str:
    """At least 12 characters, not all the same character.

    >>> check_password("corto")
    Traceback (most recent call last):
    ...
    console.users.UserError: passwords need at least 12 characters
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4:
        raise UserError("passwords need more than three distinct characters")
    return password


def save(r: redis.Redis, username: str, role: str, password: str) -> User:
    """Create or replace an account (the password is stored only as an argon2id hash)."""
    check_username(username)
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    check_password(password)
    r.hset(
        keys.user(username),
        mapping={
            "role": role,
            "password_hash": _HASHER.hash(password),
            "active": "1",
            "updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )
    return User(username, role)


def set_active(r: redis.Redis, username: str, active: bool) -> bool:
    """Enable or disable an account; False if it does not exist."""
    if not r.exists(keys.user(username)):
        return False
    r.hset(keys.user(username), "active", "1" if active else "0")
    return True


def get(r: redis.Redis, username: str) -> User | None:
    """The account, or None when it does not exist."""
    if not _USERNAME.match(username):
        return None
    data = r.hmget(keys.user(username), "role", "active")
    if data[0] is None:
        return None
    return User(username, _text(data[0]), _text(data[1] or b"1") == "1")


def all_users(r: redis.Redis) -> list[User]:
    """Every account, by name."""
    prefix = keys.user("")
    names = sorted(_text(k)[len(prefix) :] for k in r.scan_iter(match=prefix + "*", count=500))
    return [u for u in (get(r, n) for n in names) if u is not None]


def authenticate(r: redis.Redis, username: str, password: str) -> User | None:
    """The active account whose password matches, else None (same cost either way)."""
    user = get(r, username)
    stored = r.hget(keys.user(username), "password_hash") if user else None
    try:
        _HASHER.verify(_text(stored) if stored else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or stored is None or not user.active:
        return None
    if _HASHER.check_needs_rehash(_text(stored)):
        r.hset(keys.user(username), "password_hash", _HASHER.hash(password))
    return user


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
