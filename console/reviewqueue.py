"""The review queue: the workers' ``llave:review`` stream, read through group ``reviewers``.

Every console instance reads new entries as consumer ``console``, which moves them to the
group's pending list; the open cases are that pending list, and a decision acknowledges the
entries of its submission (XACK), which removes them from the queue.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import redis

from console import keys
from workers.accounts import ensure_review_group

_BATCH = 500
_MAX_OPEN = 2000


@dataclass(frozen=True)
class QueueItem:
    """One flagged submission waiting for a reviewer."""

    submission_id: str
    account_id: str
    reasons: list[str]
    created_at: dt.datetime
    entry_ids: list[str] = field(default_factory=list)

    def age(self, now: dt.datetime) -> dt.timedelta:
        """How long the case has waited."""
        return max(now - self.created_at, dt.timedelta(0))


def open_cases(r: redis.Redis) -> list[QueueItem]:
    """The submissions waiting for a decision, oldest first (one item per submission)."""
    ensure_review_group(r)
    _deliver_new(r)
    pending = r.xpending_range(keys.REVIEW_STREAM, keys.REVIEW_GROUP, "-", "+", _MAX_OPEN)
    ids = [_text(p["message_id"]) for p in pending]
    pipe = r.pipeline(transaction=False)
    for entry_id in ids:
        pipe.xrange(keys.REVIEW_STREAM, entry_id, entry_id)
    items: dict[str, QueueItem] = {}
    for entry_id, found in zip(ids, pipe.execute(), strict=True):
        if not found:  # entry deleted from the stream (purge): nothing to review
            r.xack(keys.REVIEW_STREAM, keys.REVIEW_GROUP, entry_id)
            continue
        item = parse_entry(entry_id, found[0][1])
        if item is not None:
            items[item.submission_id] = _merge(items.get(item.submission_id), item)
    return sorted(items.values(), key=lambda i: (i.created_at, i.entry_ids[0]))


def find(r: redis.Redis, submission_id: str) -> QueueItem | None:
    """The open queue item of one submission, or None when it is not waiting."""
    return next((i for i in open_cases(r) if i.submission_id == submission_id), None)


def acknowledge(r: redis.Redis, item: QueueItem) -> int:
    """Acknowledge every stream entry of a decided submission; returns how many were pending."""
    if not item.entry_ids:
        return 0
    return int(r.xack(keys.REVIEW_STREAM, keys.REVIEW_GROUP, *item.entry_ids))


def _deliver_new(r: redis.Redis) -> None:
    while True:
        got = r.xreadgroup(
            keys.REVIEW_GROUP, keys.REVIEW_CONSUMER, {keys.REVIEW_STREAM: ">"}, count=_BATCH
        )
        if not got or not got[0][1]:
            return


def parse_entry(entry_id: str, fields: dict) -> QueueItem | None:
    """A queue item from a stream entry, or None when it names no submission.

    >>> item = parse_entry("1700000000000-0", {b"submission_id": b"s-1", b"account_id": b"a-1",
    ...     b"reasons": b'["FACE_MISMATCH"]', b"created_at": b"2026-01-02T03:04:05+00:00"})
    >>> item.submission_id, item.reasons, item.created_at.isoformat()
    ('s-1', ['FACE_MISMATCH'], '2026-01-02T03:04:05+00:00')
    >>> parse_entry("1700000000000-0", {b"submission_id": b"s-2", b"reasons": b"A, B"}).reasons
    ['A', 'B']
    >>> parse_entry("1-0", {b"account_id": b"a"}) is None
    True
    """
    text = {_text(k): _text(v) for k, v in fields.items()}
    submission_id = text.get("submission_id", "").strip()
    if not submission_id:
        return None
    return QueueItem(
        submission_id=submission_id,
        account_id=text.get("account_id", "").strip(),
        reasons=parse_reasons(text.get("reasons", "")),
        created_at=parse_time(text.get("created_at") or text.get("at", ""), entry_id),
        entry_ids=[entry_id],
    )


def parse_reasons(value: str) -> list[str]:
    """Reason codes from a JSON list or a comma/space separated string.

    >>> parse_reasons('["FACE_MISMATCH", "CURP_MISMATCH"]'), parse_reasons("X Y"), parse_reasons("")
    (['FACE_MISMATCH', 'CURP_MISMATCH'], ['X', 'Y'], [])
    """
    value = value.strip()
    if value.startswith("["):
        try:
            return [str(v) for v in json.loads(value)]
        except ValueError:
            pass
    return [part for part in value.replace(",", " ").split() if part]


def parse_time(value: str, entry_id: str) -> dt.datetime:
    """An aware timestamp from ISO 8601 or epoch seconds; else the stream entry's time.

    >>> parse_time("", "1700000000000-0").isoformat()
    '2023-11-14T22:13:20+00:00'
    >>> parse_time("1700000000.5", "0-0").isoformat()
    '2023-11-14T22:13:20.500000+00:00'
    """
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    except ValueError:
        pass
    try:
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        millis = int(entry_id.split("-", 1)[0] or 0)
        return dt.datetime.fromtimestamp(millis / 1000, dt.UTC)


def _merge(old: QueueItem | None, new: QueueItem) -> QueueItem:
    if old is None:
        return new
    first, second = sorted((old, new), key=lambda i: i.created_at)
    return QueueItem(
        submission_id=first.submission_id,
        account_id=second.account_id or first.account_id,
        reasons=list(dict.fromkeys(first.reasons + second.reasons)),
        created_at=first.created_at,
        entry_ids=first.entry_ids + second.entry_ids,
    )


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
