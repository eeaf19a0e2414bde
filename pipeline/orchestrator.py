"""The pipeline, one case at a time: decode, read the ID, read the proof of address, compare faces,
search duplicates, check, decide. Each line below is one stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from models import Case, Check, Verdict
from models.documents import AddressReading, IdReading
from models.faces import FaceReading
from models.uploads import UploadStatus
from pipeline import (
    address_checks,
    address_proof,
    decide,
    document_checks,
    duplicates,
    face_checks,
    faces,
)
from pipeline.cache import StageCache, cached, stage_key
from pipeline.id import read_id
from pipeline.policy import Policy
from pipeline.uploads import Limits, Upload, decode_upload, sha256_of

if TYPE_CHECKING:
    from pipeline.engines import Engines
    from pipeline.gallery import Gallery

T = TypeVar("T")
ROLES = ("id_front", "id_back", "address_proof", "selfie")


@dataclass(frozen=True)
class CaseFiles:
    """A case and the raw bytes of its uploads by role.

    A role whose bytes are None was not fetched; ``problems`` says why (``missing``,
    ``too_large``), so the size limit can be enforced before download.
    """

    case: Case
    files: Mapping[str, bytes | None]
    problems: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What a worker loads once and every case shares."""

    engines: Engines
    policy: Policy
    gallery: Gallery | None = None
    cache: StageCache | None = None


@dataclass(frozen=True)
class Outcome:
    """A verdict, the artefacts (face crops) that go with it, and the face templates by role
    (``{"selfie": encoding}``: for the duplicate-identity gallery; never in the verdict JSON)."""

    verdict: Verdict
    artefacts: dict[str, bytes] = field(default_factory=dict)
    templates: dict[str, list[float]] = field(default_factory=dict)


class _Timer:
    """Records how long each stage takes, in milliseconds."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def run(self, stage: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        try:
            return fn()
        finally:
            self.timings[stage] = round((time.perf_counter() - start) * 1000, 1)


def verify_case(files: CaseFiles, ctx: Context) -> Outcome:
    """Run every stage for one case and return its verdict. Bad input never raises."""
    case, policy, timer = files.case, ctx.policy, _Timer()
    uploads = Uploads(files, limits_of(policy))
    statuses = timer.run("decode", lambda: _statuses(uploads, ctx))
    id_reading = timer.run("id_document", lambda: _read_id(case, uploads, ctx))
    address = timer.run("address_proof", lambda: _read_address(uploads, ctx))
    face = timer.run("faces", lambda: _read_faces(uploads, ctx))
    checks = timer.run(
        "checks", lambda: _all_checks(case, statuses, id_reading, address, face, ctx)
    )
    extracted = {
        **document_checks.id_extracted(id_reading),
        **address_checks.address_extracted(address),
        **face_checks.face_extracted(face, policy),
    }
    verdict = decide.decide(case, checks, extracted, policy, timer.timings)
    artefacts = face_artefacts(face)
    verdict = verdict.model_copy(update={"artefacts": {name: name for name in artefacts}})
    templates = {"selfie": face.selfie.encoding} if face.selfie.encoding else {}
    return Outcome(verdict=verdict, artefacts=artefacts, templates=templates)


def face_artefacts(face: FaceReading) -> dict[str, bytes]:
    """The aligned face chips a reviewer compares, as JPEG files."""
    chips = {"face_id.jpg": face.id_portrait.chip_jpeg, "face_selfie.jpg": face.selfie.chip_jpeg}
    return {name: data for name, data in chips.items() if data}


def limits_of(policy: Policy) -> Limits:
    """The upload limits the policy sets."""
    return Limits(
        max_bytes=policy.integer("limits.max_upload_bytes"),
        max_pixels=policy.integer("limits.max_image_pixels"),
        max_pdf_pages=policy.integer("limits.max_pdf_pages"),
        pdf_dpi=policy.integer("limits.pdf_dpi"),
    )


class Uploads:
    """A case's uploads by role, each decoded on first use and only then.

    Cache keys come from the raw bytes' digests, so a cached re-decision never decodes.
    """

    def __init__(self, files: CaseFiles, limits: Limits) -> None:
        self._files, self._limits = files, limits
        self._decoded: dict[str, Upload] = {}
        self._digests: dict[str, str] = {}
        self.roles = list(files.case.documents.roles())
        if files.case.documents.id_type == "ine" and "id_back" not in self.roles:
            self.roles.append("id_back")  # an INE has two sides: a missing back is a missing file

    def digest(self, role: str) -> str:
        """The content digest of a role's upload (a marker when it was not fetched)."""
        if role not in self._digests:
            problem = self._problem(role)
            data = self._files.files.get(role)
            self._digests[role] = f"unfetched:{problem}" if problem else sha256_of(data)
        return self._digests[role]

    def get(self, role: str) -> Upload:
        """The decoded upload of ``role``."""
        if role not in self._decoded:
            problem = self._problem(role)
            if problem:
                self._decoded[role] = Upload(role, "invalid", "", problem=problem)
            else:
                data = self._files.files.get(role)
                self._decoded[role] = decode_upload(role, data, self._limits)
        return self._decoded[role]

    def _problem(self, role: str) -> str:
        if role not in self._files.case.documents.roles():
            return "missing"
        return self._files.problems.get(role, "")


def _statuses(uploads: Uploads, ctx: Context) -> dict[str, UploadStatus]:
    return {
        role: cached(
            ctx.cache,
            stage_key("decode", role, uploads.digest(role)),
            UploadStatus,
            lambda role=role: uploads.get(role).status(),  # type: ignore[misc]
        )
        for role in uploads.roles
    }


def _read_id(case: Case, uploads: Uploads, ctx: Context) -> IdReading:
    id_type = case.documents.id_type
    back_digest = uploads.digest("id_back") if id_type == "ine" else ""
    # the second looks' CPU budget changes what is read: a policy with another one re-reads
    budget = ctx.policy.number("id_reading.second_looks_cpu_s")
    return cached(
        ctx.cache,
        stage_key("id_document", id_type, uploads.digest("id_front"), back_digest, f"{budget}"),
        IdReading,
        lambda: read_id(
            uploads.get("id_front"),
            uploads.get("id_back") if id_type == "ine" else None,
            id_type,
            ctx.engines.ocr,
            budget,
        ),
    )


def _read_address(uploads: Uploads, ctx: Context) -> AddressReading:
    return cached(
        ctx.cache,
        stage_key("address_proof", uploads.digest("address_proof")),
        AddressReading,
        lambda: address_proof.read_address_proof(
            uploads.get("address_proof"), ctx.engines.ocr, ctx.engines.pdf
        ),
    )


def _read_faces(uploads: Uploads, ctx: Context) -> FaceReading:
    return cached(
        ctx.cache,
        stage_key("faces", uploads.digest("id_front"), uploads.digest("selfie")),
        FaceReading,
        lambda: faces.read_faces(uploads.get("id_front"), uploads.get("selfie"), ctx.engines.faces),
    )


def _all_checks(
    case: Case,
    statuses: dict[str, UploadStatus],
    id_reading: IdReading,
    address: AddressReading,
    face: FaceReading,
    ctx: Context,
) -> list[Check]:
    policy = ctx.policy
    return [
        decide.files_check(statuses),
        *document_checks.id_checks(case, id_reading, policy),
        *address_checks.address_checks(case, address, policy),
        *face_checks.face_checks(face, policy),
        duplicates.duplicate_check(face, case, ctx.gallery, policy),
    ]
