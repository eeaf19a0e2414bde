"""The verdict sink: where a finished case goes (object storage, then Redis, in that order).

1. artefacts (face crops) to ``<verdict bucket>/<submission_id>/<name>``, and the job payload
   (the registration the reviewers compare against) to ``<submission_id>/payload.json``;
2. the verdict JSON to ``<verdict bucket>/<submission_id>/verdict.json`` (after the artefacts,
   so a verdict never points at a missing crop);
3. one Lua script in Redis: account status, verdict event, review entry (``workers.accounts``);
4. the selfie template (``Outcome.templates``, never in the verdict JSON), when
   ``$LLAVE_GALLERY_KEY`` is set: a ``verified`` case whose status applied is enrolled in the
   shared gallery (``workers.gallery_store``); a case sent to ``review`` gets it encrypted as
   ``<submission_id>/template.enc``, for the console to enroll on approval.

Every step overwrites or is deduplicated, so running the sink again for the same submission
(a retried or requeued job) leaves exactly one verdict, one event and one review entry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.codes import Decision
from pipeline.errors import StorageError
from workers import accounts, gallery_store
from workers.storage import ObjectStore, check_key, guess_content_type

if TYPE_CHECKING:
    from redis import Redis

    from models import JobPayload, Verdict
    from pipeline.orchestrator import Outcome

log = logging.getLogger("llave.sink")
VERDICT_NAME = "verdict.json"
#: the job payload, kept next to the verdict for the reviewers' console (registration data)
PAYLOAD_NAME = "payload.json"


def verdict_key(submission_id: str) -> str:
    """Object key of a submission's verdict.

    >>> verdict_key("s-1")
    's-1/verdict.json'
    """
    return f"{submission_id}/{VERDICT_NAME}"


def artefact_key(submission_id: str, name: str) -> str:
    """Object key of one artefact; the name must be a plain file name.

    >>> artefact_key("s-1", "face_id.jpg")
    's-1/face_id.jpg'
    >>> artefact_key("s-1", "../x.jpg")
    Traceback (most recent call last):
    ...
    ValueError: artefact names are plain file names
    """
    if "/" in name or name in (VERDICT_NAME, PAYLOAD_NAME, "") or name.startswith("."):
        raise ValueError("artefact names are plain file names")
    return check_key(f"{submission_id}/{name}")


@dataclass(frozen=True)
class Written:
    """Where a verdict went."""

    submission_id: str
    decision: str
    bucket: str
    verdict_key: str
    event_id: str
    new_event: bool
    review_id: str


@dataclass
class VerdictSink:
    """Writes outcomes to the verdict bucket, the gallery and Redis."""

    store: ObjectStore
    redis: Redis
    bucket: str
    gallery_key: bytes | None = None

    def write(self, outcome: Outcome, payload: JobPayload) -> Written:
        """Store one outcome; safe to repeat."""
        sid = payload.submission_id
        names = self._put_artefacts(sid, outcome.artefacts)
        payload_json = payload.model_dump_json().encode("utf-8")
        self.store.put(self.bucket, f"{sid}/{PAYLOAD_NAME}", payload_json, "application/json")
        verdict = outcome.verdict.model_copy(update={"artefacts": names})
        key = verdict_key(sid)
        template = outcome.templates.get("selfie")
        if template and self.gallery_key and verdict.decision == Decision.REVIEW:
            gallery_store.park_template(self.store, self.bucket, sid, template, self.gallery_key)
        self.store.put(self.bucket, key, verdict.to_json().encode("utf-8"), "application/json")
        published = self._publish(verdict, payload, key)
        if template and published.status_applied and verdict.decision == Decision.VERIFIED:
            self._enroll(payload, template)
        log.info(
            "verdict stored",
            extra={
                "submission_id": sid,
                "decision": verdict.decision.value,
                "new_event": published.new_event,
            },
        )
        return Written(
            sid,
            verdict.decision.value,
            self.bucket,
            key,
            published.event_id,
            published.new_event,
            published.review_id,
        )

    def _put_artefacts(self, sid: str, artefacts: dict[str, bytes]) -> dict[str, str]:
        keys = {}
        for name, data in sorted(artefacts.items()):
            key = artefact_key(sid, name)
            self.store.put(self.bucket, key, data, guess_content_type(name))
            keys[name] = key
        return keys

    def _enroll(self, payload: JobPayload, template: list[float]) -> None:
        """Add the verified selfie to the shared gallery (a rerun replaces it with itself)."""
        from redis.exceptions import ConnectionError, TimeoutError

        if self.gallery_key is None:
            return
        try:
            gallery_store.enroll(
                self.redis,
                payload.account_id,
                payload.registration.curp,
                payload.submission_id,
                template,
                self.gallery_key,
            )
        except (ConnectionError, TimeoutError) as exc:
            raise StorageError(
                f"{payload.submission_id}: redis unreachable ({type(exc).__name__})"
            ) from None
        log.info("template enrolled", extra={"submission_id": payload.submission_id})

    def _publish(self, verdict: Verdict, payload: JobPayload, key: str) -> accounts.Published:
        from redis.exceptions import ConnectionError, TimeoutError

        try:
            return accounts.apply_decision(
                self.redis,
                account_id=payload.account_id,
                submission_id=payload.submission_id,
                decision=verdict.decision,
                source="pipeline",
                submitted_at=payload.submitted_at,
                reasons=[reason.value for reason in verdict.reasons],
                verdict_key=key,
                queue_review=verdict.decision == Decision.REVIEW,
            )
        except (ConnectionError, TimeoutError) as exc:
            raise StorageError(
                f"{payload.submission_id}: redis unreachable ({type(exc).__name__})"
            ) from None
