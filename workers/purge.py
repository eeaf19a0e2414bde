"""Purge: delete a submission's or an account's personal data, and audit what went.

What one submission leaves behind, and what :func:`purge_submission` does with it::

    uploads        <upload bucket>/<sid>/*  (+ the payload's own keys)   deleted
    face crops     <verdict bucket>/<sid>/face_*.jpg                     deleted
    payload        <verdict bucket>/<sid>/payload.json (registration)    deleted
    verdict        <verdict bucket>/<sid>/verdict.json, review.json      deleted (kept for the
                                                                         verdict period when
                                                                         only uploads expired)
    stage cache    DirectoryCache entries keyed by the uploads' digests  deleted
    template       the account's gallery row when it came from <sid>     deleted (file re-saved,
                                                                         still encrypted; and
                                                                         llave:gallery:templates
                                                                         in Redis)
    parked         <verdict bucket>/<sid>/template.enc (review cases)    deleted
    review entry   llave:review entry of <sid> (XDEL, acked)             deleted
    RQ job         rq:job:verify-<sid> (its arguments are the payload)   deleted
    console claim  llave:console:claim:<sid>                             deleted
    record         llave:submission:<sid> (ids, decision, event ids)     kept, marked purged
                                                                         (so it is never
                                                                         enqueued again)

An account purge (a cancellation under the Llave CDMX rules) purges every submission of the
account at once and deletes ``llave:account:<id>`` and the gallery template. ``--expired``
applies the policy's ``[retention]`` periods from each submission's verdict time.

Every purge appends one entry to the Redis stream ``llave:purge-audit``: scope, ids, cause,
who, when, counts and the *kinds* of what was deleted (``upload:selfie``, ``verdict:payload``),
never names, keys' contents or values. The verdict events on ``llave:verdicts`` (ids and
decision only) and the console's audit chain ``llave:audit`` are kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pipeline.errors import StorageError
from workers import accounts
from workers.storage import InvalidObjectKey, ObjectMissing, ObjectStore

if TYPE_CHECKING:
    from redis import Redis

    from pipeline.gallery import Gallery
    from pipeline.policy import Policy

log = logging.getLogger("llave.purge")

AUDIT_STREAM = "llave:purge-audit"
#: Causes of an account's cancellation (Llave CDMX rules), and the retention expiry.
CAUSES = {
    "solicitud_titular": "cancelación a solicitud del titular",
    "fallecimiento": "fallecimiento del titular",
    "suplantacion_identidad": "suplantación o usurpación de identidad",
    "informacion_no_veraz": "información no veraz",
    "documentacion_apocrifa": "documentación apócrifa",
    "requisitos_no_cumplidos": "requisitos legales no cumplidos",
    "uso_indebido": "uso indebido de la cuenta",
    "resolucion_autoridad": "resolución de autoridad competente",
    "retencion_vencida": "plazo de conservación vencido",
}
RETENTION_CAUSE = "retencion_vencida"
SUBMISSION_PREFIX = "llave:submission:"


class PurgeError(ValueError):
    """A purge request that cannot be carried out as asked (unknown cause, bad id)."""


@dataclass(frozen=True)
class Retention:
    """How long personal data is kept after a submission's verdict (policy ``[retention]``)."""

    uploads_days: int
    verdicts_days: int

    @classmethod
    def from_policy(cls, policy: Policy) -> Retention:
        """The ``[retention]`` section of the policy."""
        return cls(
            uploads_days=policy.integer("retention.uploads_days"),
            verdicts_days=policy.integer("retention.verdicts_days"),
        )


@dataclass
class PurgeTargets:
    """Where a purge deletes: stores and buckets, Redis, and the optional gallery and caches."""

    store: ObjectStore
    redis: Redis
    upload_bucket: str
    verdict_bucket: str
    gallery_path: Path | None = None
    cache_dirs: list[Path] = field(default_factory=list)
    _gallery: Gallery | None = field(default=None, init=False, repr=False)
    _gallery_dirty: bool = field(default=False, init=False, repr=False)

    def gallery(self) -> Gallery | None:
        """The gallery (loaded once, decrypted with ``$LLAVE_GALLERY_KEY``), if configured."""
        if self.gallery_path is None or not self.gallery_path.exists():
            return None
        if self._gallery is None:
            from pipeline.gallery import Gallery

            self._gallery = Gallery.load(self.gallery_path)
        return self._gallery

    def save_gallery(self) -> None:
        """Write the gallery back (encrypted, atomically) when a template was removed."""
        if self._gallery is not None and self._gallery_dirty and self.gallery_path is not None:
            self._gallery.save(self.gallery_path)
            self._gallery_dirty = False


@dataclass
class PurgeReport:
    """What one purge deleted, as counts by kind (no values)."""

    scope: str
    cause: str
    actor: str
    submission_ids: list[str] = field(default_factory=list)
    account_id: str = ""
    deleted: Counter[str] = field(default_factory=Counter)
    kept_open_review: int = 0

    def count(self, kind: str, n: int = 1) -> None:
        """Record ``n`` deletions of ``kind`` (``upload:selfie``, ``cache:faces``...)."""
        if n:
            self.deleted[kind] += n

    def totals(self) -> dict[str, int]:
        """Deletions by category (the part of each kind before the colon)."""
        out: Counter[str] = Counter()
        for kind, n in self.deleted.items():
            out[kind.split(":", 1)[0]] += n
        return dict(sorted(out.items()))

    def audit_fields(self, at: str) -> dict[str, str]:
        """The ``llave:purge-audit`` entry: ids, cause, who, when, counts and kinds."""
        return {
            "at": at,
            "actor": self.actor,
            "scope": self.scope,
            "cause": self.cause,
            "account_id": self.account_id,
            "submission_ids": ",".join(self.submission_ids),
            "counts": json.dumps(self.totals(), sort_keys=True),
            "kinds": json.dumps(dict(sorted(self.deleted.items())), sort_keys=True),
            "kept_open_review": str(self.kept_open_review),
        }


def check_cause(cause: str) -> str:
    """A known cause code.

    >>> check_cause("fallecimiento")
    'fallecimiento'
    >>> check_cause("porque sí")
    Traceback (most recent call last):
    ...
    workers.purge.PurgeError: unknown purge cause (see llave-verify purge --help)
    """
    if cause not in CAUSES:
        raise PurgeError("unknown purge cause (see llave-verify purge --help)")
    return cause


# --------------------------------------------------------------------------- one submission


def purge_submission(
    targets: PurgeTargets,
    submission_id: str,
    report: PurgeReport,
    keep_verdict: bool = False,
) -> None:
    """Delete one submission's personal data (see the module docstring); record it in ``report``.

    With ``keep_verdict`` (uploads expired, verdict period not yet), ``verdict.json`` and
    ``review.json`` stay.
    """
    payload = _read_payload(targets, submission_id)
    _purge_cache(targets, submission_id, payload, report)
    _purge_uploads(targets, submission_id, payload, report)
    _purge_verdict_objects(targets, submission_id, report, keep_verdict)
    if payload is not None:
        _purge_template(targets, payload.get("account_id", ""), submission_id, report)
    _purge_redis(targets, submission_id, report)
    if submission_id not in report.submission_ids:
        report.submission_ids.append(submission_id)


def _read_payload(targets: PurgeTargets, sid: str) -> dict[str, Any] | None:
    from workers.sink import PAYLOAD_NAME

    try:
        data = targets.store.get(targets.verdict_bucket, f"{sid}/{PAYLOAD_NAME}")
        payload = json.loads(data)
    except (ObjectMissing, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def _payload_keys(payload: dict[str, Any] | None) -> Iterator[tuple[str, str, str]]:
    """(role, bucket, key) of each upload a payload names."""
    if not payload:
        return
    bucket = str(payload.get("bucket", ""))
    for role, key in (payload.get("documents") or {}).items():
        if role != "id_type" and isinstance(key, str) and key:
            yield role, bucket, key


def _role_of(key: str) -> str:
    """The role an upload key stands for, from its file name.

    >>> _role_of("s-1/selfie.jpg"), _role_of("s-1/IMG_0001.HEIC")
    ('selfie', 'other')
    """
    stem = PurePosixPath(key).stem
    return stem if stem in ("id_front", "id_back", "address_proof", "selfie") else "other"


def _delete(targets: PurgeTargets, bucket: str, key: str) -> bool:
    """Delete one object; True when it existed."""
    try:
        if targets.store.stat(bucket, key) is None:
            return False
        targets.store.delete(bucket, key)
    except InvalidObjectKey:
        return False
    return True


def _purge_uploads(
    targets: PurgeTargets, sid: str, payload: dict[str, Any] | None, report: PurgeReport
) -> None:
    seen: set[tuple[str, str]] = set()
    for role, bucket, key in _payload_keys(payload):
        seen.add((bucket, key))
        if _delete(targets, bucket, key):
            report.count(f"upload:{role}")
    for key in list(targets.store.list(targets.upload_bucket, f"{sid}/")):
        if (targets.upload_bucket, key) not in seen and _delete(
            targets, targets.upload_bucket, key
        ):
            report.count(f"upload:{_role_of(key)}")


def _verdict_kind(name: str) -> str:
    """The audit kind of an object in a submission's verdict folder.

    >>> _verdict_kind("face_id.jpg"), _verdict_kind("payload.json"), _verdict_kind("x.bin")
    ('artefact:face_id', 'verdict:payload', 'verdict:other')
    """
    stem = PurePosixPath(name).stem
    if stem.startswith("face_"):
        return f"artefact:{stem}"
    return f"verdict:{stem}" if stem in ("verdict", "payload", "review") else "verdict:other"


def _purge_verdict_objects(
    targets: PurgeTargets, sid: str, report: PurgeReport, keep_verdict: bool
) -> None:
    kept = {"verdict.json", "review.json"} if keep_verdict else set()
    for key in list(targets.store.list(targets.verdict_bucket, f"{sid}/")):
        name = PurePosixPath(key).name
        if name not in kept and _delete(targets, targets.verdict_bucket, key):
            report.count(_verdict_kind(name))


def _stage_keys(targets: PurgeTargets, payload: dict[str, Any] | None) -> list[str]:
    """The stage-cache keys a submission's uploads can have produced (read before they are
    deleted): each upload by its digest, or by the marker the orchestrator keys an upload it did
    not fetch with (``unfetched:too_large``, ``unfetched:missing``). Keys made only of markers
    are shared by every submission and hold no personal data: they are left alone."""
    from itertools import product

    from pipeline.cache import stage_key

    if not payload:
        return []
    options = _digest_options(targets, payload)
    id_type = str((payload.get("documents") or {}).get("id_type", ""))
    backs = options["id_back"] if id_type == "ine" else [""]
    keys = [
        stage_key("decode", role, digest)
        for role, digests in options.items()
        for digest in digests
        if _real(digest)
    ]
    for front, back in product(options["id_front"], backs):
        if _real(front) or _real(back):
            keys.append(stage_key("id_document", id_type, front, back))
    keys += [stage_key("address_proof", d) for d in options["address_proof"] if _real(d)]
    for front, selfie in product(options["id_front"], options["selfie"]):
        if _real(front) or _real(selfie):
            keys.append(stage_key("faces", front, selfie))
    return keys


def _digest_options(targets: PurgeTargets, payload: dict[str, Any]) -> dict[str, list[str]]:
    from pipeline.uploads import sha256_of

    options = {role: ["unfetched:missing"] for role in _ROLES}
    for role, bucket, key in _payload_keys(payload):
        with contextlib.suppress(ObjectMissing, InvalidObjectKey):  # gone: marker stays
            options[role] = [sha256_of(targets.store.get(bucket, key)), "unfetched:too_large"]
    return options


def _real(digest: str) -> bool:
    return bool(digest) and not digest.startswith("unfetched:")


_ROLES = ("id_front", "id_back", "address_proof", "selfie")


def _purge_cache(
    targets: PurgeTargets, sid: str, payload: dict[str, Any] | None, report: PurgeReport
) -> None:
    if not targets.cache_dirs:
        return
    for key in _stage_keys(targets, payload):
        stage, _, digest = key.partition("/")
        for root in targets.cache_dirs:
            path = root / stage / digest[:2] / f"{digest}.json"
            if path.is_file():
                path.unlink()
                report.count(f"cache:{stage}")


def _purge_template(targets: PurgeTargets, account_id: str, sid: str, report: PurgeReport) -> None:
    """Remove the account's gallery template when it was enrolled from ``sid``."""
    from workers import gallery_store

    # the shared gallery in Redis: kept while the account stays verified (not on expiry)
    if (
        account_id
        and report.scope != "expired"
        and gallery_store.remove(targets.redis, account_id, sid)
    ):
        report.count("template:face")
    gallery = targets.gallery()
    if gallery is None or not account_id or account_id not in gallery:
        return
    if sid and _template_submission(gallery, account_id) not in (sid, None):
        return
    if gallery.remove_account(account_id):
        targets._gallery_dirty = True
        report.count("template:face")


def _template_submission(gallery: Gallery, account_id: str) -> str | None:
    """The submission an account's template came from (None if the gallery does not say)."""
    row = getattr(gallery, "_row_of", {}).get(account_id)
    submissions = getattr(gallery, "_submissions", None)
    if row is None or submissions is None:
        return None
    return str(submissions[row])


def _purge_redis(targets: PurgeTargets, sid: str, report: PurgeReport) -> None:
    from workers.queue import job_id_for

    r = targets.redis
    record = accounts.get_submission_record(r, sid) or {}
    review_ids = {record["review"]} if record.get("review") else set()
    review_ids |= _review_entries_of(r, sid) if not review_ids else set()
    for entry_id in sorted(review_ids):
        _ack_everywhere(r, entry_id)
        report.count("review:entry", int(r.xdel(accounts.REVIEW_STREAM, entry_id)))
    report.count("job:rq", _delete_job(r, job_id_for(sid)))
    report.count("console:claim", int(r.delete(f"llave:console:claim:{sid}")))
    if record:
        r.hset(
            accounts.submission_key(sid),
            mapping={"purged_at": _now(), "purge_cause": report.cause},
        )
        r.hdel(accounts.submission_key(sid), "verdict_key")


def _review_entries_of(r: Redis, sid: str) -> set[str]:
    return {e["id"] for e in accounts.events_for(r, sid, stream=accounts.REVIEW_STREAM)}


def _ack_everywhere(r: Redis, entry_id: str) -> None:
    from redis.exceptions import ResponseError

    with contextlib.suppress(ResponseError):  # no group yet: nothing was delivered
        r.xack(accounts.REVIEW_STREAM, accounts.REVIEW_GROUP, entry_id)


def _delete_job(r: Redis, job_id: str) -> int:
    """Delete the RQ job (its arguments hold the payload) from every registry; 1 if it existed."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    try:
        job = Job.fetch(job_id, connection=r, serializer=JSONSerializer)
    except NoSuchJobError:
        return 0
    except Exception:  # noqa: BLE001 - an undecodable job is still deleted by key
        return int(r.delete(f"rq:job:{job_id}"))
    job.delete(remove_from_queue=True)
    return 1


# --------------------------------------------------------------------------- accounts, expiry


def submissions_of_account(r: Redis, account_id: str) -> list[str]:
    """Every submission whose record names ``account_id`` (a SCAN of the submission records)."""
    found = []
    for key in r.scan_iter(match=f"{SUBMISSION_PREFIX}*", count=1000):
        owner = r.hget(key, "account_id")
        if owner is not None and accounts._text(owner) == account_id:
            found.append(accounts._text(key)[len(SUBMISSION_PREFIX) :])
    latest = (accounts.get_account(r, account_id) or {}).get("submission_id")
    if latest and latest not in found:
        found.append(latest)
    return sorted(found)


def purge_account(
    targets: PurgeTargets,
    account_id: str,
    cause: str,
    actor: str,
    extra_submissions: Iterable[str] = (),
) -> PurgeReport:
    """Cancel an account: purge all its submissions, its template and its status, at once."""
    report = PurgeReport(scope="account", cause=check_cause(cause), actor=actor)
    report.account_id = account_id
    sids = sorted(set(submissions_of_account(targets.redis, account_id)) | set(extra_submissions))
    for sid in sids:
        purge_submission(targets, sid, report)
    _purge_template(targets, account_id, "", report)
    report.count("account:status", int(targets.redis.delete(accounts.account_key(account_id))))
    return _finish(targets, report)


def purge_one(targets: PurgeTargets, submission_id: str, cause: str, actor: str) -> PurgeReport:
    """Purge one submission now (``llave-verify purge --submission``)."""
    report = PurgeReport(scope="submission", cause=check_cause(cause), actor=actor)
    record = accounts.get_submission_record(targets.redis, submission_id) or {}
    report.account_id = record.get("account_id", "")
    purge_submission(targets, submission_id, report)
    return _finish(targets, report)


def purge_expired(
    targets: PurgeTargets,
    retention: Retention,
    actor: str,
    now: dt.datetime | None = None,
) -> PurgeReport:
    """Apply the retention periods to every decided submission (``--expired``).

    Uploads and everything derived from them go ``uploads_days`` after the verdict; the
    verdict itself ``verdicts_days`` after it. A submission still waiting in the review queue
    keeps its uploads (the reviewer needs them) and is counted in ``kept_open_review``.
    """
    now = now or dt.datetime.now(dt.UTC)
    report = PurgeReport(scope="expired", cause=RETENTION_CAUSE, actor=actor)
    open_reviews = _open_review_submissions(targets.redis)
    for sid, record in _submission_records(targets.redis):
        if record.get("purged_at") == "verdict":
            continue
        decided = _parse_time(record.get("updated_at", ""))
        if decided is None:
            continue
        age = now - decided
        if age >= dt.timedelta(days=retention.verdicts_days):
            purge_submission(targets, sid, report)
            targets.redis.hset(accounts.submission_key(sid), "purged_at", "verdict")
        elif age >= dt.timedelta(days=retention.uploads_days) and not record.get("purged_at"):
            if sid in open_reviews:
                report.kept_open_review += 1
                continue
            purge_submission(targets, sid, report, keep_verdict=True)
    return _finish(targets, report)


def _submission_records(r: Redis) -> Iterator[tuple[str, dict[str, str]]]:
    for key in r.scan_iter(match=f"{SUBMISSION_PREFIX}*", count=1000):
        sid = accounts._text(key)[len(SUBMISSION_PREFIX) :]
        record = accounts.get_submission_record(r, sid)
        if record:
            yield sid, record


def _open_review_submissions(r: Redis) -> set[str]:
    """Submissions with a review entry not yet acknowledged (or not yet delivered)."""
    from redis.exceptions import ResponseError

    try:
        groups = {accounts._text(g["name"]): g for g in r.xinfo_groups(accounts.REVIEW_STREAM)}
    except ResponseError:
        return set()
    group = groups.get(accounts.REVIEW_GROUP)
    last = accounts._text(group["last-delivered-id"]) if group else "0-0"
    pending = set()
    if group and group.get("pending"):
        for entry in r.xpending_range(
            accounts.REVIEW_STREAM, accounts.REVIEW_GROUP, "-", "+", 1_000_000
        ):
            pending.add(accounts._text(entry["message_id"]))
    open_sids = set()
    for entry_id, fields in r.xrange(accounts.REVIEW_STREAM, "-", "+"):
        eid = accounts._text(entry_id)
        if eid in pending or _stream_id_after(eid, last):
            open_sids.add(accounts._text(fields.get(b"submission_id", b"")))
    return open_sids


def _stream_id_after(a: str, b: str) -> bool:
    """Stream id ``a`` is later than ``b``.

    >>> _stream_id_after("10-0", "9-5"), _stream_id_after("9-5", "9-5")
    (True, False)
    """
    ams, _, aseq = a.partition("-")
    bms, _, bseq = b.partition("-")
    return (int(ams), int(aseq or 0)) > (int(bms), int(bseq or 0))


def _parse_time(text: str) -> dt.datetime | None:
    """An ISO time stamp (UTC assumed when naive), or None.

    >>> _parse_time("2026-01-01T00:00:00.000+00:00").year, _parse_time("nope")
    (2026, None)
    """
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _finish(targets: PurgeTargets, report: PurgeReport) -> PurgeReport:
    """Save the gallery if it changed, then append the audit entry (after the deletions)."""
    from redis.exceptions import ConnectionError, TimeoutError

    targets.save_gallery()
    try:
        targets.redis.xadd(AUDIT_STREAM, report.audit_fields(_now()))
    except (ConnectionError, TimeoutError) as exc:
        raise StorageError(
            f"purge audit not written: redis unreachable ({type(exc).__name__})"
        ) from None
    log.info(
        "purge done",
        extra={"submission_id": ",".join(report.submission_ids[:20]), "problems": report.totals()},
    )
    return report


def audit_entries(r: Redis) -> list[dict[str, str]]:
    """Every entry of the purge audit stream, oldest first."""
    return [
        {"id": accounts._text(i), **{accounts._text(k): accounts._text(v) for k, v in f.items()}}
        for i, f in r.xrange(AUDIT_STREAM, "-", "+")
    ]
