"""A reviewer's decision on a case: validated, recorded, applied, audited.

Applying a decision, in order (each step is idempotent, so a failed request can be retried by
the same reviewer):

1. the reviewer must hold the case's claim, and the verdict must still be the version they saw
   (its sha256);
2. a once-only marker (``SET NX``) makes the first decision final;
3. the decision record is written next to the verdict (``<id>/review.json``; ``verdict.json`` is
   never modified);
4. the audit log gets an entry (who, when, what, why, verdict sha256);
5. the account status is set and a ``reviewer`` event published (``workers.accounts``); an
   approval whose status applied enrolls the selfie template the sink parked next to the verdict
   in the shared duplicate-identity gallery (``workers.gallery_store``);
6. the review stream entries are acknowledged and the claim released.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import redis

from console import audit, keys, reviewqueue
from console.claims import Claims
from console.evidence import Evidence
from console.labels import ACTIONS, REJECT_CAUSES
from console.users import User
from workers import accounts

MAX_NOTE = 2000
MAX_MESSAGE = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class DecisionRefused(Exception):
    """A decision that cannot be applied; ``status`` is the HTTP status, the message Spanish."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class DecisionForm:
    """What the reviewer submitted."""

    action: str
    verdict_sha256: str
    cause: str = ""
    note: str = ""
    message: str = ""


def clean_text(value: str, limit: int) -> str:
    """Trim, normalise line ends, drop control characters, refuse over-long text.

    >>> clean_text("  hola\\r\\nmundo\\x00 ", 100)
    'hola\\nmundo'
    """
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(text) > limit:
        raise DecisionRefused(f"El texto excede {limit} caracteres.", 400)
    return text


def parse_form(form: Any) -> DecisionForm:
    """Validate a decision form; :class:`DecisionRefused` (400) says what is missing."""
    action = form.get("action", "")
    if action not in ACTIONS:
        raise DecisionRefused("Elige aprobar, rechazar o solicitar reenvío.", 400)
    sha = form.get("verdict_sha256", "")
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise DecisionRefused("Falta la versión del dictamen; recarga el caso.", 400)
    note = clean_text(form.get("note", ""), MAX_NOTE)
    message = clean_text(form.get("message", ""), MAX_MESSAGE)
    cause = form.get("cause", "")
    if action == "reject":
        if cause not in REJECT_CAUSES:
            raise DecisionRefused("Para rechazar elige una causa de las reglas de Llave CDMX.", 400)
        if not note:
            raise DecisionRefused("Para rechazar escribe una nota que justifique la decisión.", 400)
    else:
        cause = ""
    if action == "resubmit" and not message:
        raise DecisionRefused("Para solicitar reenvío escribe el mensaje para la persona.", 400)
    if action != "resubmit":
        message = ""
    return DecisionForm(action, sha, cause, note, message)


def apply(
    r: redis.Redis,
    evidence: Evidence,
    claims: Claims,
    user: User,
    submission_id: str,
    form: DecisionForm,
) -> dict[str, Any]:
    """Apply a validated decision (see the module docstring); returns the decision record."""
    if claims.holder(submission_id) != user.username:
        raise DecisionRefused("No tienes tomado este caso: tómalo antes de decidir.")
    loaded = evidence.verdict(submission_id)
    if loaded.sha256 != form.verdict_sha256:
        raise DecisionRefused("El dictamen cambió desde que abriste el caso; vuelve a cargarlo.")
    item = reviewqueue.find(r, submission_id)
    _claim_decision(r, submission_id, user, item)
    status = ACTIONS[form.action][0]
    record = _record(loaded, user, form, status)
    evidence.write_decision(submission_id, record)
    entry = audit.append(
        r,
        user.username,
        user.role,
        form.action,
        submission_id=submission_id,
        account_id=record["account_id"],
        cause=form.cause,
        note=form.note,
        message=form.message,
        verdict_sha256=loaded.sha256,
        verdict_decision=record["verdict_decision"],
    )
    published = accounts.record_review_decision(
        r, account_id=record["account_id"], submission_id=submission_id, decision=status
    )
    if status == "verified" and published.status_applied:
        _enroll_template(r, evidence, submission_id, record["account_id"])
    if item is not None:
        reviewqueue.acknowledge(r, item)
    claims.release(submission_id, user.username)
    return {**record, "audit_hash": entry.hash, "status_applied": published.status_applied}


def _enroll_template(
    r: redis.Redis, evidence: Evidence, submission_id: str, account_id: str
) -> None:
    """Enroll the approved case's selfie template (parked encrypted by the verdict sink)."""
    from workers import gallery_store

    payload = evidence.payload(submission_id)
    if payload is None:
        return
    gallery_store.enroll_reviewed(
        r,
        evidence.store,
        evidence.verdict_bucket,
        account_id=account_id,
        submission_id=submission_id,
        curp=payload.registration.curp,
    )


def _claim_decision(
    r: redis.Redis, submission_id: str, user: User, item: reviewqueue.QueueItem | None
) -> None:
    """Make this the case's only decision (a retry by the same reviewer is allowed)."""
    marker = keys.decided(submission_id)
    if r.set(marker, user.username, nx=True):
        if item is None:
            r.delete(marker)
            raise DecisionRefused("Este caso no está en la cola de revisión.")
        return
    holder = r.get(marker)
    if (holder.decode() if isinstance(holder, bytes) else holder) != user.username:
        raise DecisionRefused("Este caso ya fue decidido por otra persona.")


def _record(loaded: Any, user: User, form: DecisionForm, status: str) -> dict[str, Any]:
    verdict = loaded.verdict
    return {
        "submission_id": verdict.submission_id,
        "account_id": verdict.account_id,
        "action": form.action,
        "status": status,
        "cause": form.cause,
        "cause_label": REJECT_CAUSES.get(form.cause, ""),
        "note": form.note,
        "citizen_message": form.message,
        "reviewer": user.username,
        "reviewer_role": user.role,
        "decided_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "verdict_sha256": loaded.sha256,
        "verdict_decision": str(verdict.decision),
        "verdict_confidence": verdict.confidence,
        "pipeline_version": verdict.pipeline_version,
        "policy_version": verdict.policy_version,
    }
