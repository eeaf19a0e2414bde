"""The audit log: an append-only Redis stream with a sha256 hash chain over its entries.

Each entry stores its record as canonical JSON (``record``) and ``hash`` =
sha256(previous hash + record). The record carries ``prev``, the previous entry's hash, so
deleting, editing or reordering any entry breaks the chain at that point, which
:func:`verify` reports. The console only ever XADDs (see ``docs/console.md`` for the Redis
ACL that removes XDEL/XTRIM/DEL on the stream from the console's Redis user).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import redis

from console import keys

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """One audit log line, as read back."""

    entry_id: str
    record: dict[str, Any]
    hash: str

    @property
    def at(self) -> dt.datetime:
        """When the action happened (UTC)."""
        return dt.datetime.fromisoformat(self.record["at"])


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a hash-chain verification."""

    ok: bool
    entries: int
    head: str
    broken_at: str | None = None
    problem: str = ""


def canonical(record: dict[str, Any]) -> str:
    """The canonical JSON text hashed for an entry.

    >>> canonical({"b": 1, "a": "é"})
    '{"a":"é","b":1}'
    """
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev: str, record_text: str) -> str:
    """sha256 over the previous hash and the canonical record.

    >>> chain_hash(GENESIS, "{}")[:16]
    '5649d09ed68c1715'
    """
    return hashlib.sha256((prev + "\n" + record_text).encode("utf-8")).hexdigest()


def append(r: redis.Redis, actor: str, role: str, action: str, **fields: Any) -> AuditEntry:
    """Append one action to the log (optimistic transaction on the stream: no forked chain)."""
    while True:
        with r.pipeline() as pipe:
            try:
                pipe.watch(keys.AUDIT_STREAM)
                last = pipe.xrevrange(keys.AUDIT_STREAM, count=1)
                prev = _text(last[0][1][b"hash"]) if last else GENESIS
                record = {
                    "at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                    "actor": actor,
                    "role": role,
                    "action": action,
                    **fields,
                    "prev": prev,
                }
                text = canonical(record)
                digest = chain_hash(prev, text)
                pipe.multi()
                pipe.xadd(keys.AUDIT_STREAM, {"record": text, "hash": digest})
                entry_id = pipe.execute()[0]
                return AuditEntry(_text(entry_id), record, digest)
            except redis.WatchError:
                continue


def read(r: redis.Redis, newest_first: bool = True, count: int = 200) -> list[AuditEntry]:
    """The latest ``count`` entries."""
    if newest_first:
        raw = r.xrevrange(keys.AUDIT_STREAM, count=count)
    else:
        raw = r.xrange(keys.AUDIT_STREAM, count=count)
    return [_entry(entry_id, fields) for entry_id, fields in raw]


def for_submission(r: redis.Redis, submission_id: str) -> list[AuditEntry]:
    """Every entry about one submission, oldest first."""
    return [e for e in _all(r) if e.record.get("submission_id") == submission_id]


def verify(r: redis.Redis) -> ChainReport:
    """Recompute the whole chain; report the first entry where it breaks."""
    prev, count = GENESIS, 0
    for entry in _all(r):
        count += 1
        problem = _check(entry, prev)
        if problem:
            return ChainReport(False, count, prev, entry.entry_id, problem)
        prev = entry.hash
    return ChainReport(True, count, prev)


def _check(entry: AuditEntry, prev: str) -> str:
    if entry.record.get("prev") != prev:
        return "el enlace con la entrada anterior no coincide (entrada borrada o reordenada)"
    if chain_hash(prev, canonical(entry.record)) != entry.hash:
        return "el contenido de la entrada fue modificado"
    return ""


def _all(r: redis.Redis, batch: int = 1000):
    start = "-"
    while True:
        raw = r.xrange(keys.AUDIT_STREAM, min=start, count=batch)
        for entry_id, fields in raw:
            yield _entry(entry_id, fields)
        if len(raw) < batch:
            return
        start = "(" + _text(raw[-1][0])


def _entry(entry_id: Any, fields: dict) -> AuditEntry:
    text = _text(fields.get(b"record", b"{}"))
    try:
        record = json.loads(text)
    except ValueError:
        record = {"action": "?", "raw": text}
    return AuditEntry(_text(entry_id), record, _text(fields.get(b"hash", b"")))


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
