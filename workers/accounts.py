"""Account status and verdict events in Redis, shared by the verdict sink and the review console.

Redis layout (docs/architecture.md; the submission record is this module's addition)::

    llave:account:<account_id>        hash   status, submission_id, updated_at, source, submitted_ts
    llave:submission:<submission_id>  hash   account_id, decision, source, updated_at, verdict_key,
                                             event:<source>:<decision> -> stream id,
                                             review -> stream id
    llave:verdicts                    stream submission_id, account_id, decision, source, at
    llave:review                      stream submission_id, account_id, reasons, verdict_key, at
                                             (consumer group ``reviewers``)

Every write of one decision happens in one Lua script, so it is atomic and idempotent: the
submission record remembers which events were already published, so running the same
decision again (a retried or requeued job) overwrites the status and publishes nothing new.
The account status only moves forward: an older submission never overwrites a newer one, and
a pipeline rerun never overwrites a reviewer's decision on the same submission.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.codes import Decision

if TYPE_CHECKING:
    from redis import Redis

VERDICT_STREAM = "llave:verdicts"
REVIEW_STREAM = "llave:review"
REVIEW_GROUP = "reviewers"
SOURCES = ("pipeline", "reviewer")
#: A status only a reviewer sets (fraud is decided by people, never by the pipeline).
REJECTED = "rejected"
#: Approximate cap on the verdict event stream (the review stream is never trimmed).
VERDICT_STREAM_MAXLEN = 1_000_000


def account_key(account_id: str) -> str:
    """The Redis hash holding an account's current status.

    >>> account_key("acc-1")
    'llave:account:acc-1'
    """
    return f"llave:account:{account_id}"


def submission_key(submission_id: str) -> str:
    """The Redis hash recording what was published for a submission.

    >>> submission_key("s-1")
    'llave:submission:s-1'
    """
    return f"llave:submission:{submission_id}"


@dataclass(frozen=True)
class Published:
    """What :func:`apply_decision` did."""

    event_id: str
    new_event: bool
    review_id: str
    status_applied: bool


_APPLY = """
local acct, sub, vstream, rstream = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local account_id, submission_id, decision, source = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local updated_at, submitted_ts, event_key, want_review = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local reasons, verdict_key, maxlen = ARGV[9], ARGV[10], ARGV[11]

local cur_sub = redis.call('HGET', acct, 'submission_id')
local cur_ts = redis.call('HGET', acct, 'submitted_ts')
local cur_source = redis.call('HGET', acct, 'source')
local apply = false
if not cur_sub or cur_sub == submission_id then
  apply = not (source == 'pipeline' and cur_source == 'reviewer' and cur_sub == submission_id)
elseif submitted_ts ~= '' and (not cur_ts or tonumber(submitted_ts) > tonumber(cur_ts)) then
  apply = true
end
if apply then
  redis.call('HSET', acct, 'status', decision, 'submission_id', submission_id,
             'updated_at', updated_at, 'source', source)
  if submitted_ts ~= '' then redis.call('HSET', acct, 'submitted_ts', submitted_ts) end
end

redis.call('HSET', sub, 'account_id', account_id, 'decision', decision, 'source', source,
           'updated_at', updated_at)
if verdict_key ~= '' then redis.call('HSET', sub, 'verdict_key', verdict_key) end

local new_event = 0
local event_id = redis.call('HGET', sub, 'event:' .. event_key)
if not event_id then
  event_id = redis.call('XADD', vstream, 'MAXLEN', '~', maxlen, '*',
                        'submission_id', submission_id, 'account_id', account_id,
                        'decision', decision, 'source', source, 'at', updated_at)
  redis.call('HSET', sub, 'event:' .. event_key, event_id)
  new_event = 1
end

local review_id = ''
if want_review == '1' then
  review_id = redis.call('HGET', sub, 'review')
  if not review_id then
    review_id = redis.call('XADD', rstream, '*', 'submission_id', submission_id,
                           'account_id', account_id, 'reasons', reasons,
                           'verdict_key', verdict_key, 'at', updated_at)
    redis.call('HSET', sub, 'review', review_id)
  end
end
return {event_id, new_event, review_id, apply and 1 or 0}
"""


def _timestamp_us(moment: dt.datetime) -> str:
    """A sortable integer time stamp (microseconds since the epoch) for Lua comparisons.

    >>> _timestamp_us(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    '1767225600000000'
    """
    return str(int(moment.timestamp() * 1_000_000))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def ensure_review_group(r: Redis) -> None:
    """Create the ``reviewers`` consumer group on the review stream (idempotent).

    The group starts at id ``0`` so that review entries written before it existed are delivered.
    """
    from redis.exceptions import ResponseError

    try:
        r.xgroup_create(REVIEW_STREAM, REVIEW_GROUP, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def apply_decision(
    r: Redis,
    *,
    account_id: str,
    submission_id: str,
    decision: Decision | str,
    source: str,
    submitted_at: dt.datetime | None = None,
    reasons: list[str] | None = None,
    verdict_key: str = "",
    queue_review: bool = False,
) -> Published:
    """Set the account status and publish the verdict event (and review entry) atomically.

    Idempotent per (submission, source, decision): a repeat publishes nothing new.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown decision source {source!r}")
    status = _status(decision, source)
    if queue_review:
        ensure_review_group(r)
    result = r.eval(
        _APPLY,
        4,
        account_key(account_id),
        submission_key(submission_id),
        VERDICT_STREAM,
        REVIEW_STREAM,
        account_id,
        submission_id,
        status,
        source,
        _now(),
        _timestamp_us(submitted_at) if submitted_at else "",
        f"{source}:{status}",
        "1" if queue_review else "0",
        ",".join(reasons or []),
        verdict_key,
        str(VERDICT_STREAM_MAXLEN),
    )
    event_id, new_event, review_id, applied = (_text(v) for v in result)
    return Published(event_id, new_event == "1", review_id, applied == "1")


def _status(decision: Decision | str, source: str) -> str:
    """The status text to store: a :class:`Decision`, or ``rejected`` from a reviewer.

    >>> _status("verified", "pipeline"), _status("rejected", "reviewer")
    ('verified', 'rejected')
    >>> _status("rejected", "pipeline")
    Traceback (most recent call last):
    ...
    ValueError: 'rejected' is not a valid Decision
    """
    if source == "reviewer" and decision == REJECTED:
        return REJECTED
    return Decision(decision).value


def record_review_decision(
    r: Redis, *, account_id: str, submission_id: str, decision: Decision | str
) -> Published:
    """A reviewer decided a submission: set the account status and publish a ``reviewer`` event.

    Clicking twice publishes one event; changing the decision publishes the new one.
    """
    return apply_decision(
        r,
        account_id=account_id,
        submission_id=submission_id,
        decision=decision,
        source="reviewer",
    )


def set_account_status(
    r: Redis, account_id: str, status: Decision | str, submission_id: str, source: str = "reviewer"
) -> Published:
    """Set an account's status for a submission and publish the matching verdict event."""
    return apply_decision(
        r, account_id=account_id, submission_id=submission_id, decision=status, source=source
    )


def get_account(r: Redis, account_id: str) -> dict[str, str] | None:
    """The account hash (``status``, ``submission_id``, ``updated_at``, ``source``), or None."""
    data = r.hgetall(account_key(account_id))
    return {_text(k): _text(v) for k, v in data.items()} or None


def get_submission_record(r: Redis, submission_id: str) -> dict[str, str] | None:
    """What was published for a submission (decision, verdict key, event ids), or None."""
    data = r.hgetall(submission_key(submission_id))
    return {_text(k): _text(v) for k, v in data.items()} or None


def events_for(r: Redis, submission_id: str, stream: str = VERDICT_STREAM) -> list[dict[str, str]]:
    """Every entry of a stream about one submission (a full scan: for tests and audits)."""
    found = []
    for entry_id, fields in r.xrange(stream, "-", "+"):
        decoded = {_text(k): _text(v) for k, v in fields.items()}
        if decoded.get("submission_id") == submission_id:
            found.append({"id": _text(entry_id), **decoded})
    return found


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
