"""What a reviewer looks at, read from the object store: verdict, registration, documents, faces.

Every document is decoded and re-encoded here (JPEG, bounded size, EXIF orientation applied;
PDFs rendered through the poppler engine), so the browser never receives an upload's raw bytes
and never a link to the store.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from models import JobPayload, Verdict
from workers.sink import PAYLOAD_NAME
from workers.storage import ObjectMissing, ObjectStore

log = logging.getLogger("llave.console")

ROLES = ("id_front", "id_back", "address_proof", "selfie")
FACE_ARTEFACTS = ("face_id", "face_selfie")
#: where a reviewer decision is written, next to the verdict (which is never modified)
DECISION_NAME = "review.json"
_SUBMISSION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class EvidenceMissing(LookupError):
    """An object the console needs is not in the store (message: submission id and name only)."""


def valid_submission_id(value: str) -> bool:
    """Whether ``value`` has the shape of a submission id (the case contract's identifier).

    >>> valid_submission_id("sub-2026-0001"), valid_submission_id("../x"), valid_submission_id("")
    (True, False, False)
    """
    return bool(_SUBMISSION_ID.match(value)) and value not in (".", "..")


@dataclass(frozen=True)
class LoadedVerdict:
    """A verdict and the sha256 of the exact bytes read: the version a reviewer saw."""

    verdict: Verdict
    sha256: str


class Evidence:
    """Read access to one deployment's buckets."""

    def __init__(self, store: ObjectStore, upload_bucket: str, verdict_bucket: str):
        self.store = store
        self.upload_bucket = upload_bucket
        self.verdict_bucket = verdict_bucket

    def verdict(self, submission_id: str) -> LoadedVerdict:
        """The stored verdict of a submission and its content hash."""
        data = self._get(self.verdict_bucket, f"{submission_id}/verdict.json")
        if data is None:
            raise EvidenceMissing(f"{submission_id}: no verdict.json")
        verdict = Verdict.model_validate_json(data)
        return LoadedVerdict(verdict=verdict, sha256=hashlib.sha256(data).hexdigest())

    def payload(self, submission_id: str) -> JobPayload | None:
        """The job payload the sink keeps next to the verdict (registration, document keys)."""
        data = self._get(self.verdict_bucket, f"{submission_id}/{PAYLOAD_NAME}")
        if data is None:
            return None
        try:
            return JobPayload.model_validate_json(data)
        except ValueError:
            log.warning("submission %s: %s is not a job payload", submission_id, PAYLOAD_NAME)
            return None

    def decision(self, submission_id: str) -> dict[str, Any] | None:
        """The reviewer decision record, when the case was already decided."""
        data = self._get(self.verdict_bucket, f"{submission_id}/{DECISION_NAME}")
        return json.loads(data) if data is not None else None

    def write_decision(self, submission_id: str, record: dict[str, Any]) -> None:
        """Store the reviewer decision record next to the verdict."""
        data = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        self.store.put(
            self.verdict_bucket, f"{submission_id}/{DECISION_NAME}", data, "application/json"
        )

    def document(self, submission_id: str, role: str, payload: JobPayload | None) -> bytes | None:
        """The raw upload of ``role``: by the payload's key, else ``<id>/<role>.<ext>``."""
        if payload is not None and payload.submission_id == submission_id:
            key = payload.documents.roles().get(role)
            if key:
                return self._get(payload.bucket, key)
        for key in self._keys(self.upload_bucket, f"{submission_id}/"):
            name = key.rsplit("/", 1)[-1]
            if name.split(".", 1)[0] == role:
                return self._get(self.upload_bucket, key)
        return None

    def artefact(self, submission_id: str, name: str, verdict: Verdict) -> bytes | None:
        """A face crop written by the pipeline (``face_id`` or ``face_selfie``)."""
        stored = verdict.artefacts.get(name) or verdict.artefacts.get(f"{name}.jpg")
        candidates = [f"{submission_id}/{name}.jpg"]
        if stored:
            base = stored.rsplit("/", 1)[-1]
            candidates.insert(0, f"{submission_id}/{base}")
        for key in candidates:
            data = self._get(self.verdict_bucket, key)
            if data is not None:
                return data
        return None

    def _get(self, bucket: str, key: str) -> bytes | None:
        try:
            return self.store.get(bucket, key)
        except ObjectMissing:
            return None

    def _keys(self, bucket: str, prefix: str) -> list[str]:
        try:
            return sorted(self.store.list(bucket, prefix))
        except ObjectMissing:
            return []


def render_image(data: bytes, max_side: int) -> bytes | None:
    """A JPEG of an upload (image or first PDF page), EXIF-rotated and bounded; None if unusable."""
    from PIL import Image, ImageOps

    if data[:5] == b"%PDF-":
        return _render_pdf(data, max_side)
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - declared dependency
        pass
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.draft("RGB", (max_side, max_side))
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except Exception:  # PIL raises many types on hostile input
        return None
    return _jpeg(image, max_side)


def _render_pdf(data: bytes, max_side: int) -> bytes | None:
    """The first page of a PDF through the poppler engine (timeouts and caps), as JPEG."""
    from PIL import Image

    from pipeline.engines.poppler import PdfEngine, PdfUnreadable

    try:
        pages = PdfEngine(max_pages=1, dpi=110, timeout=20).rasterise(data, max_pages=1)
    except PdfUnreadable:
        return None
    rgb = pages[0][:, :, ::-1]
    return _jpeg(Image.fromarray(rgb.copy()), max_side)


def _jpeg(image: Any, max_side: int) -> bytes:
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
