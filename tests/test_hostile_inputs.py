"""Hostile input: every upload a stranger on the internet can send ends in a verdict with a
clear reason, and every malformed case or payload in a validation error without personal data,
in bounded time and memory.

Inputs that reach the pipeline run through the real orchestrator (``verify_case``) with the
real engines. Each test measures its own wall time and memory (Python allocations through
``tracemalloc``, the process's peak resident size through ``getrusage``) against generous
bounds: a decompression bomb that were decoded would blow both by gigabytes.
The builders are in ``tests/hostile.py``. Covered elsewhere: an oversized *S3* object is refused
from its HEAD request before any byte is downloaded (``tests/integration/test_storage_s3.py::
test_size_limit_checked_before_download``), hostile keys never reach the S3 server
(``test_hostile_keys_never_reach_the_server``).
"""

from __future__ import annotations

import json
import resource
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from models import Verdict
from pipeline.orchestrator import CaseFiles, Context, Outcome, verify_case
from tests import hostile
from workers.jobs import InvalidPayload, fetch_case_files, parse_payload, verify_submission
from workers.local import CaseFolderError, read_case_folder
from workers.storage import LocalStore

ROLES = ("id_front", "id_back", "address_proof", "selfie")
#: seconds one hostile upload may cost through the whole pipeline (stages have 20-30 s limits;
#: this machine is shared, so the bound is generous but still far below "hangs")
SECONDS_PER_INPUT = 20.0
#: memory an input may add: Python allocations, and growth of the process's peak resident size
MAX_TRACED_MB = 300
MAX_RSS_GROWTH_MB = 400
PERSONAL = [
    hostile.REGISTRATION["nombre"],
    hostile.REGISTRATION["primer_apellido"],
    hostile.REGISTRATION["curp"],
    hostile.REGISTRATION["domicilio"]["calle"],  # type: ignore[index]
]


@pytest.fixture(scope="module")
def ctx(engines, policy) -> Context:  # type: ignore[no-untyped-def]
    return Context(engines=engines, policy=policy)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def bounded(inputs: int = 1) -> Iterator[dict[str, float]]:
    """Measure the block; fail when it took too long or used too much memory."""
    figures: dict[str, float] = {}
    rss_before = _peak_rss_mb()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield figures
    finally:
        figures["seconds"] = time.perf_counter() - start
        figures["traced_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        figures["rss_growth_mb"] = _peak_rss_mb() - rss_before
    assert figures["seconds"] < SECONDS_PER_INPUT * inputs, figures
    assert figures["traced_mb"] < MAX_TRACED_MB, figures
    assert figures["rss_growth_mb"] < MAX_RSS_GROWTH_MB, figures


def write_case(folder: Path, files: dict[str, bytes], names: dict[str, str] | None = None) -> Path:
    """A case folder with ``case.json`` and the given files (file name -> bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.json").write_text(json.dumps(hostile.case_dict(names=names)), "utf-8")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def files_check(verdict: Verdict) -> Any:
    return next(check for check in verdict.checks if check.name == "files")


def assert_file_invalid(outcome: Outcome, problems: dict[str, set[str]]) -> None:
    """A resubmit verdict for FILE_INVALID naming exactly these roles' problems."""
    verdict = outcome.verdict
    assert verdict.decision.value == "resubmit", verdict.reasons
    assert verdict.reasons[0].value == "FILE_INVALID"
    found = files_check(verdict).evidence["problems"]
    assert set(found) == set(problems), found
    for role, expected in problems.items():
        assert found[role] in expected, (role, found[role])
    assert any(e.reason.value == "FILE_INVALID" and e.citizen for e in verdict.explanations)


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("name", sorted(hostile.INVALID))
def test_unusable_upload_is_file_invalid(name: str, tmp_path: Path, ctx: Context) -> None:
    """The same hostile bytes, named ``.jpg``, in every role of a case folder."""
    build, expected = hostile.INVALID[name]
    data = build()
    folder = write_case(tmp_path / "case", {f"{role}.jpg": data for role in ROLES})
    with bounded(inputs=1):
        outcome = verify_case(read_case_folder(folder), ctx)
    assert_file_invalid(outcome, {role: expected for role in ROLES})


#: unusual but legitimate formats, four to a case (one per role) to share the pipeline runs
GROUPS = [sorted(hostile.DECODABLE)[i : i + 4] for i in range(0, len(hostile.DECODABLE), 4)]


@pytest.fixture(scope="module")
def decodable_runs(
    ctx: Context, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, Outcome, dict[str, float]]]:
    """name -> (role it was uploaded as, the case's outcome, the case's figures)."""
    runs = {}
    for index, group in enumerate(GROUPS):
        names = (group + ["cmyk_jpeg"] * 4)[:4]
        files = {role: hostile.DECODABLE[n][0]() for role, n in zip(ROLES, names, strict=True)}
        case = CaseFiles(
            case=read_case_folder(
                write_case(
                    tmp_path_factory.mktemp(f"formats{index}"),
                    {f"{r}.jpg": files[r] for r in ROLES},
                )
            ).case,
            files=files,
        )
        with bounded(inputs=4) as figures:
            outcome = verify_case(case, ctx)
        for role, name in zip(ROLES, group, strict=False):
            runs[name] = (role, outcome, figures)
    return runs


@pytest.mark.parametrize("name", sorted(hostile.DECODABLE))
def test_unusual_format_is_decoded_and_processed(name: str, decodable_runs) -> None:  # type: ignore[no-untyped-def]
    role, outcome, figures = decodable_runs[name]
    check = files_check(outcome.verdict)
    assert check.status == "pass", check.evidence
    assert check.evidence["formats"][role] == hostile.DECODABLE[name][1]
    assert "FILE_INVALID" not in outcome.verdict.reasons
    assert outcome.verdict.reasons, "blank pictures cannot verify anyone"
    assert figures["seconds"] < 4 * SECONDS_PER_INPUT


def test_pdf_actions_are_never_executed(tmp_path: Path, ctx: Context) -> None:
    """A bill PDF with OpenAction JavaScript and a Launch action is only ever parsed."""
    marker = tmp_path / "launched"
    data = hostile.pdf_with_script(str(marker))
    assert b"/JavaScript" in data and b"/Launch" in data
    folder = write_case(
        tmp_path / "case",
        {"bill.pdf": data},
        names={
            "id_front": "id.jpg",  # absent: only the bill runs through the stages
            "id_back": "id.jpg",
            "address_proof": "bill.pdf",
            "selfie": "selfie.jpg",
        },
    )
    with bounded():
        outcome = verify_case(read_case_folder(folder), ctx)
    assert "address_proof" not in files_check(outcome.verdict).evidence["problems"]
    assert "ADDRESS_PROOF_UNREADABLE" in outcome.verdict.reasons
    assert not marker.exists()


def test_missing_file_in_case_folder(tmp_path: Path, ctx: Context) -> None:
    folder = write_case(tmp_path / "case", {f"{r}.jpg": b"" for r in ROLES if r != "selfie"})
    with bounded():
        outcome = verify_case(read_case_folder(folder), ctx)
    assert files_check(outcome.verdict).evidence["problems"]["selfie"] == "missing"


def test_oversized_file_is_never_read(tmp_path: Path, ctx: Context) -> None:
    """A 25 GB sparse file costs nothing: its size is checked before it is opened."""
    folder = write_case(tmp_path / "case", {f"{r}.jpg": b"" for r in ROLES})
    with open(folder / "selfie.jpg", "wb") as handle:
        handle.truncate(25 * 2**30)
    with bounded():
        outcome = verify_case(read_case_folder(folder), ctx)
    assert files_check(outcome.verdict).evidence["problems"]["selfie"] == "too_large"


@pytest.mark.parametrize("target", ["/etc/passwd", "outside.jpg"])
def test_symlink_in_case_folder_is_not_followed(tmp_path: Path, ctx: Context, target: str) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(hostile.jpeg())
    folder = write_case(tmp_path / "case", {f"{r}.jpg": b"" for r in ROLES if r != "selfie"})
    (folder / "selfie.jpg").symlink_to(target if target.startswith("/") else outside)
    with bounded():
        outcome = verify_case(read_case_folder(folder), ctx)
    assert files_check(outcome.verdict).evidence["problems"]["selfie"] == "missing"


@pytest.mark.parametrize("fault", ["missing", "too_large"])
def test_missing_or_oversized_object_in_the_store(
    tmp_path: Path, ctx: Context, policy, fault: str
) -> None:  # type: ignore[no-untyped-def]
    """The worker's fetch (local directory store) turns both into the role's problem."""
    store = LocalStore(tmp_path / "objects")
    payload = parse_payload(hostile.payload_dict())
    for key in payload.documents.roles().values():
        store.put(payload.bucket, key, b"")
    if fault == "missing":
        store.delete(payload.bucket, payload.documents.selfie)
    else:
        store.put(payload.bucket, payload.documents.selfie, b"\xff" * 1001)
    with bounded():
        files = fetch_case_files(store, payload, max_bytes=1000)
        outcome = verify_case(files, ctx)
    assert files_check(outcome.verdict).evidence["problems"]["selfie"] == fault


# --------------------------------------------------------------------------- payloads


def _with(path: str, value: object, base: dict | None = None) -> dict:
    """A copy of ``base`` (a valid payload) with the dotted ``path`` set to ``value``."""
    doc = json.loads(json.dumps(base or hostile.payload_dict()))
    node = doc
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    return doc


HOSTILE_PAYLOADS: dict[str, tuple[Callable[[], object], str]] = {
    "key_dotdot": (lambda: _with("documents.selfie", "../../etc/passwd"), "documents.selfie"),
    "key_dotdot_inside": (
        lambda: _with("documents.id_front", "s/../../x.jpg"),
        "documents.id_front",
    ),
    "key_absolute": (
        lambda: _with("documents.address_proof", "/etc/shadow"),
        "documents.address_proof",
    ),
    "key_backslash": (lambda: _with("documents.selfie", "..\\..\\win.ini"), "documents.selfie"),
    "key_nul": (lambda: _with("documents.selfie", "s/selfie.jpg\x00.png"), "documents.selfie"),
    "bucket_traversal": (lambda: _with("bucket", "../verdicts"), "bucket"),
    "name_absurd_length": (
        lambda: _with("registration.nombre", "PRUEBA" * 20_000),
        "registration.nombre",
    ),
    "name_control_chars": (
        lambda: _with("registration.primer_apellido", "HOSTIL\x1b[31m\r\nINYECTADO"),
        "registration.primer_apellido",
    ),
    "street_nul": (
        lambda: _with("registration.domicilio.calle", "CALLE\x00INVENTADA"),
        "registration.domicilio.calle",
    ),
    "curp_absurd_length": (
        lambda: _with("registration.curp", "XEXX010101HDFXXX04" * 500),
        "registration.curp",
    ),
    "birth_date_not_a_date": (
        lambda: _with("registration.fecha_nacimiento", "PRUEBA HOSTIL"),
        "registration.fecha_nacimiento",
    ),
    "submission_id_injection": (
        lambda: _with("submission_id", "s-1\nINFO forged line"),
        "submission_id",
    ),
    "naive_timestamp": (lambda: _with("submitted_at", "2026-11-01T12:00:00"), "submitted_at"),
    "registration_not_object": (
        lambda: _with("registration", ["PRUEBA", "HOSTIL"]),
        "registration",
    ),
    "payload_not_object": (lambda: ["PRUEBA", "XEXX010101HDFXXX04"], "expected a JSON object"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PAYLOADS))
def test_hostile_payload_is_a_clear_validation_error(name: str) -> None:
    """Refused before any fetch (``verify_submission`` needs no store for it), naming the
    field and never echoing a value."""
    build, field_named = HOSTILE_PAYLOADS[name]
    payload = build()
    with bounded(), pytest.raises(InvalidPayload) as raised:
        verify_submission(payload)  # type: ignore[arg-type]
    message = str(raised.value)
    assert field_named in message
    assert not any(value in message for value in PERSONAL)
    assert "etc" not in message and "INYECTADO" not in message and "forged" not in message
    assert len(message) < 400


CASE_JSON: dict[str, tuple[Callable[[], bytes], str]] = {
    "not_json": (lambda: b"{PRUEBA HOSTIL XEXX010101HDFXXX04", "invalid case.json"),
    "binary": (lambda: hostile.jpeg(), "invalid case.json"),
    "file_name_traversal": (
        lambda: json.dumps(
            {
                **hostile.case_dict(),
                "documents": {**hostile.case_dict()["documents"], "selfie": "../../etc/passwd"},
            }
        ).encode(),
        "documents.selfie",
    ),
    "deep_nesting": (lambda: b"[" * 100_000 + b"]" * 100_000, "invalid case.json"),
}


@pytest.mark.parametrize("name", sorted(CASE_JSON))
def test_malformed_case_json_is_a_clear_error(name: str, tmp_path: Path) -> None:
    build, expected = CASE_JSON[name]
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.json").write_bytes(build())
    with bounded(), pytest.raises(CaseFolderError) as raised:
        read_case_folder(folder)
    message = str(raised.value)
    assert expected in message and not any(value in message for value in PERSONAL)


def test_there_are_at_least_thirty_distinct_hostile_inputs() -> None:
    distinct = (
        len(hostile.INVALID)
        + len(hostile.DECODABLE)
        + len(HOSTILE_PAYLOADS)
        + len(CASE_JSON)
        + 1  # PDF actions
        + 1  # missing file
        + 1  # oversized file
        + 2  # symlinks
        + 2  # missing / oversized object
    )
    assert distinct >= 30, distinct
