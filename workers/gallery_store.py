"""The shared duplicate-identity gallery: verified accounts' face templates in Redis, encrypted.

Every worker, on any machine, searches the same gallery (``pipeline.gallery.Gallery``) built
from this store. Redis layout::

    llave:gallery:templates    hash  account_id -> Fernet token of one record (JSON: curp,
                                     submission_id, enrolled_at, template = 128 float32, base64)
    llave:gallery:submissions  hash  account_id -> submission_id the template came from (plain:
                                     lets a purge of one submission remove only its own template)
    llave:gallery:version      int   incremented on every enrolment or removal
    llave:gallery:changes      zset  account_id scored by the version that last changed it

Templates (biometric data) and CURPs never sit in Redis in clear: each record is encrypted with
Fernet (AES-128-CBC + HMAC-SHA256) under ``$LLAVE_GALLERY_KEY``. Without that key nothing is
enrolled and workers search no gallery (the duplicate check says ``searched: false``); removal
needs no key.

Workers keep a :class:`GalleryCache`: one ``GET`` of the version per job; when it moved, only
the accounts changed since (``ZRANGEBYSCORE`` of the change set, ``HMGET``) are applied, so a
new enrolment reaches every worker by its next job without reloading the whole gallery.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.gallery import DIMENSIONS, KEY_ENV, Gallery, GalleryError

if TYPE_CHECKING:
    from cryptography.fernet import Fernet
    from redis import Redis

    from workers.storage import ObjectStore

log = logging.getLogger("llave.gallery")

TEMPLATES = "llave:gallery:templates"
SUBMISSIONS = "llave:gallery:submissions"
VERSION = "llave:gallery:version"
CHANGES = "llave:gallery:changes"
#: the selfie template of a case sent to review, next to its verdict (enrolled on approval)
TEMPLATE_OBJECT = "template.enc"
#: a cache further behind than this many changes reloads everything instead of the delta
MAX_DELTA = 50_000

_ENROLL = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local version = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[4], version, ARGV[1])
return version
"""

_REMOVE = """
local owner = redis.call('HGET', KEYS[2], ARGV[1])
local present = redis.call('HEXISTS', KEYS[1], ARGV[1])
if present == 0 and not owner then return 0 end
if ARGV[2] ~= '' and owner and owner ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
local version = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[4], version, ARGV[1])
return 1
"""


@dataclass(frozen=True)
class TemplateRecord:
    """One account's enrolled template (decrypted)."""

    account_id: str
    curp: str
    submission_id: str
    template: np.ndarray
    enrolled_at: str


def gallery_key(env: dict[str, str] | None = None) -> bytes | None:
    """The Fernet key from ``$LLAVE_GALLERY_KEY``, or None when the gallery is not configured.

    >>> gallery_key({}) is None, gallery_key({"LLAVE_GALLERY_KEY": " k= "})
    (True, b'k=')
    """
    value = (os.environ if env is None else env).get(KEY_ENV, "").strip()
    return value.encode("ascii") if value else None


@functools.lru_cache(maxsize=4)
def _fernet(key: bytes) -> Fernet:
    from cryptography.fernet import Fernet

    try:
        return Fernet(key)
    except (ValueError, TypeError):
        raise GalleryError(f"{KEY_ENV} is not a valid Fernet key") from None


def seal(key: bytes, curp: str, submission_id: str, template: object) -> bytes:
    """Encrypt one record (the template as 128 little-endian float32)."""
    vector = np.asarray(template, dtype="<f4").reshape(-1)
    if vector.shape != (DIMENSIONS,) or not np.all(np.isfinite(vector)):
        raise ValueError("a face template is 128 finite numbers")
    record = {
        "curp": curp.strip().upper(),
        "submission_id": submission_id,
        "enrolled_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "template": base64.b64encode(vector.tobytes()).decode("ascii"),
    }
    return _fernet(key).encrypt(json.dumps(record).encode("utf-8"))


def unseal(key: bytes, account_id: str, token: bytes) -> TemplateRecord:
    """Decrypt one record; :class:`GalleryError` (no data in the message) when it cannot be."""
    from cryptography.fernet import InvalidToken

    try:
        record = json.loads(_fernet(key).decrypt(token))
        vector = np.frombuffer(base64.b64decode(record["template"]), dtype="<f4")
        if vector.shape != (DIMENSIONS,):
            raise ValueError("bad template length")
        return TemplateRecord(
            account_id,
            str(record["curp"]),
            str(record["submission_id"]),
            vector.astype(np.float32),
            str(record.get("enrolled_at", "")),
        )
    except InvalidToken:
        raise GalleryError("wrong gallery key or tampered template record") from None
    except (ValueError, KeyError, TypeError):
        raise GalleryError("corrupt template record") from None


# --------------------------------------------------------------------------- the store


def enroll(
    r: Redis,
    account_id: str,
    curp: str,
    submission_id: str,
    template: object,
    key: bytes | None = None,
) -> int:
    """Store (or replace) an account's template, encrypted; returns the new gallery version."""
    key = key or gallery_key()
    if key is None:
        raise GalleryError(f"refusing to enroll a template unencrypted: set {KEY_ENV}")
    token = seal(key, curp, submission_id, template)
    keys = (TEMPLATES, SUBMISSIONS, VERSION, CHANGES)
    return int(r.eval(_ENROLL, 4, *keys, account_id, token, submission_id))


def remove(r: Redis, account_id: str, submission_id: str = "") -> bool:
    """Remove an account's template (only if it came from ``submission_id``, when given).

    True when a template was removed. Needs no key.
    """
    keys = (TEMPLATES, SUBMISSIONS, VERSION, CHANGES)
    return bool(r.eval(_REMOVE, 4, *keys, account_id, submission_id))


def version(r: Redis) -> int:
    """The gallery's version (0 before the first enrolment)."""
    value = r.get(VERSION)
    return int(value) if value is not None else 0


def load_gallery(r: Redis, key: bytes | None = None) -> Gallery:
    """Every enrolled template, decrypted, as a searchable :class:`Gallery`."""
    return _load(r, _require_key(key))[1]


def _require_key(key: bytes | None) -> bytes:
    key = key or gallery_key()
    if key is None:
        raise GalleryError(f"the gallery is encrypted: set {KEY_ENV}")
    return key


def _load(r: Redis, key: bytes) -> tuple[int, Gallery]:
    """The version read *before* the templates, and the gallery (later changes reapply safely)."""
    at = version(r)
    records = [unseal(key, _text(a), t) for a, t in r.hgetall(TEMPLATES).items()]
    gallery = Gallery()
    if records:
        gallery.add_many(
            [rec.account_id for rec in records],
            [rec.curp for rec in records],
            [rec.submission_id for rec in records],
            np.stack([rec.template for rec in records]),
        )
    return at, gallery


class GalleryCache:
    """A worker's copy of the gallery, brought up to date by :meth:`current` (cheap when unchanged)."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._version = -1
        self._gallery: Gallery | None = None

    @classmethod
    def from_env(cls) -> GalleryCache | None:
        """A cache when ``$LLAVE_GALLERY_KEY`` is set, else None (no duplicate search)."""
        key = gallery_key()
        return cls(key) if key else None

    @property
    def version(self) -> int:
        """The store version this copy reflects (-1 before the first load)."""
        return self._version

    def current(self, r: Redis) -> Gallery:
        """The gallery as of now: one ``GET`` when nothing changed, else the changes applied."""
        latest = version(r)
        if self._gallery is None or latest < self._version:  # first use, or the store was reset
            self._version, self._gallery = _load(r, self._key)
        elif latest > self._version:
            self._apply_changes(r, latest)
        return self._gallery

    def _apply_changes(self, r: Redis, latest: int) -> None:
        assert self._gallery is not None
        if latest - self._version > MAX_DELTA:
            self._version, self._gallery = _load(r, self._key)
            return
        changed = r.zrangebyscore(CHANGES, f"({self._version}", "+inf", withscores=True)
        if not changed:
            self._version = latest
            return
        accounts = [_text(account) for account, _ in changed]
        for account, token in zip(accounts, r.hmget(TEMPLATES, accounts), strict=True):
            if token is None:
                self._gallery.remove_account(account)
            else:
                rec = unseal(self._key, account, token)
                self._gallery.add(account, rec.curp, rec.submission_id, rec.template)
        self._version = max(int(score) for _, score in changed)


# --------------------------------------------------------------------------- review approvals


def template_object_key(submission_id: str) -> str:
    """Where a reviewed case's encrypted selfie template waits for the reviewer's approval.

    >>> template_object_key("s-1")
    's-1/template.enc'
    """
    return f"{submission_id}/{TEMPLATE_OBJECT}"


def park_template(
    store: ObjectStore, bucket: str, submission_id: str, template: object, key: bytes
) -> str:
    """Store the selfie template of a case sent to review, encrypted, next to its verdict."""
    vector = np.asarray(template, dtype="<f4").reshape(-1)
    if vector.shape != (DIMENSIONS,) or not np.all(np.isfinite(vector)):
        raise ValueError("a face template is 128 finite numbers")
    object_key = template_object_key(submission_id)
    store.put(
        bucket, object_key, _fernet(key).encrypt(vector.tobytes()), "application/octet-stream"
    )
    return object_key


def enroll_reviewed(
    r: Redis,
    store: ObjectStore,
    bucket: str,
    *,
    account_id: str,
    submission_id: str,
    curp: str,
    key: bytes | None = None,
) -> bool:
    """Enroll the template parked for a submission a reviewer approved; False if there is none."""
    from cryptography.fernet import InvalidToken

    from workers.storage import ObjectMissing

    key = key or gallery_key()
    if key is None:
        return False
    try:
        token = store.get(bucket, template_object_key(submission_id))
    except ObjectMissing:
        return False
    try:
        vector = np.frombuffer(_fernet(key).decrypt(token), dtype="<f4")
    except InvalidToken:
        raise GalleryError("wrong gallery key or tampered template object") from None
    enroll(r, account_id, curp, submission_id, vector, key)
    return True


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
