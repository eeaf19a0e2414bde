"""Batch plumbing: case sources (folder, object-store prefix over real S3 HTTP), resuming,
process pool, lazy engines. The pipeline itself is replaced by a recorder here; the end-to-end
runs are in test_batch_pipeline.py.
"""

from __future__ import annotations

import copy
import json
import multiprocessing as mp
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from models import Case
from pipeline.orchestrator import CaseFiles, Context, Outcome
from pipeline.policy import load_policy
from pipeline.version import PIPELINE_VERSION
from tests._runs import make_verdict, policy
from tests.test_models import CASE
from workers import batch
from workers.batch import (
    LazyEngines,
    StoreSource,
    parse_s3_url,
    pending,
    run_batch,
)
from workers.local import CaseFolderError
from workers.storage import LocalStore

FILES = {
    "id_front.jpg": b"front",
    "id_back.jpg": b"back",
    "address.pdf": b"%PDF",
    "selfie.jpg": b"s",
}


def _case_json(i: int) -> dict:
    case = copy.deepcopy(CASE)
    case["submission_id"] = f"sub-{i:04d}"
    return case


def write_case_folder(root: Path, i: int) -> Path:
    folder = root / f"case-{i:03d}"
    folder.mkdir(parents=True)
    (folder / "case.json").write_text(json.dumps(_case_json(i)), encoding="utf-8")
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    return folder


def fake_verify(files: CaseFiles, ctx: Context) -> Outcome:
    """Decide from the bytes alone: 'verified' unless a role is missing; records the pid."""
    label = {
        "scenario": "genuine_ine",
        "expected_reasons": [] if not files.problems else ["FILE_INVALID"],
    }
    verdict = make_verdict(label, 0.3, policy("fake"))
    update = {"submission_id": files.case.submission_id, "timings_ms": {"pid": os.getpid()}}
    return Outcome(verdict=verdict.model_copy(update=update), artefacts={"face_id.jpg": b"jpg"})


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "verify_case", fake_verify)


@pytest.fixture
def ctx() -> Context:
    def boom():  # engines must not be needed by the fake pipeline
        raise AssertionError("engines loaded")

    return Context(engines=LazyEngines(boom), policy=load_policy(), cache=None)  # type: ignore[arg-type]


def test_parse_s3_url() -> None:
    assert parse_s3_url("s3://b-1/a/b") == ("b-1", "a/b/")
    assert parse_s3_url("cases/") is None


def test_folder_batch_writes_verdicts_and_resumes(
    tmp_path: Path, recorder: None, ctx: Context
) -> None:
    cases = [write_case_folder(tmp_path / "cases", i) for i in range(5)]
    out = tmp_path / "out"
    (out).mkdir()
    done = json.dumps({"pipeline_version": PIPELINE_VERSION})  # before the interruption
    (out / "case-001.json").write_text(done, encoding="utf-8")
    (out / "case-002.json").write_text('{"pipeline_version": "0.0.1"}', encoding="utf-8")
    (out / "case-003.json").write_text("{", encoding="utf-8")  # cut short by the interruption
    assert pending(cases, out, force=False) == 4
    results = list(run_batch(cases, out, ctx, workers=2))
    assert sorted(r.name for r in results) == ["case-000", "case-002", "case-003", "case-004"]
    assert all(r.decision == "verified" and not r.error for r in results)
    assert (out / "case-001.json").read_text() == done  # not redone; an older pipeline's was
    assert (out / "artefacts" / "case-000" / "face_id.jpg").read_bytes() == b"jpg"
    pids = {json.loads((out / f"{r.name}.json").read_text())["timings_ms"]["pid"] for r in results}
    assert os.getpid() not in pids or len(pids) > 1  # a pool ran them
    assert list(run_batch(cases, out, ctx, workers=2)) == []
    assert len(list(run_batch(cases, out, ctx, workers=2, force=True))) == 5


def _sigterm_is_default() -> bool:
    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_pool_processes_stop_on_sigterm_whatever_the_parent_installed() -> None:
    """An in-process RQ worker leaves a SIGTERM handler that only sets a flag. A pool process
    that inherited it outlived ``Pool.terminate`` (when the end-of-tasks sentinels raced the
    pool's shutdown) and the batch never returned: it hung the test suite once."""
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        with mp.get_context("fork").Pool(1, initializer=batch._init_child) as pool:
            assert pool.apply(_sigterm_is_default)
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_bad_case_is_an_error_result_not_a_crash(
    tmp_path: Path, recorder: None, ctx: Context
) -> None:
    good = write_case_folder(tmp_path, 1)
    bad = tmp_path / "case-bad"
    bad.mkdir()
    (bad / "case.json").write_text('{"submission_id": 3}', encoding="utf-8")
    results = {r.name: r for r in run_batch([good, bad], tmp_path / "out", ctx)}
    assert results["case-001"].decision == "verified"
    assert results["case-bad"].decision is None and "invalid case.json" in results["case-bad"].error
    assert not (tmp_path / "out" / "case-bad.json").exists()


def _store_with_cases(root: Path, bucket: str = "llave-cases") -> LocalStore:
    store = LocalStore(root)
    store.ensure_bucket(bucket)
    for i in range(3):
        for name, data in {"case.json": json.dumps(_case_json(i)).encode(), **FILES}.items():
            store.put(bucket, f"batch-7/case-{i:03d}/{name}", data)
    store.put(bucket, "batch-7/labels.json", b"{}")
    store.put(bucket, "batch-7/stray/readme.txt", b"not a case")
    store.put(bucket, "other/case-999/case.json", json.dumps(_case_json(9)).encode())
    return store


def test_store_source_lists_and_reads_cases_under_a_prefix(tmp_path: Path) -> None:
    store = _store_with_cases(tmp_path / "objects")
    store.delete("llave-cases", "batch-7/case-001/selfie.jpg")
    store.put("llave-cases", "batch-7/case-002/selfie.jpg", b"x" * 100)
    source = StoreSource(lambda: LocalStore(tmp_path / "objects"), "llave-cases", "batch-7/", 50)
    assert source.names == ["case-000", "case-001", "case-002"]
    files = source.read("case-000")
    assert files.case == Case.model_validate(_case_json(0))
    assert files.files == {
        "id_front": b"front",
        "id_back": b"back",
        "address_proof": b"%PDF",
        "selfie": b"s",
    }
    assert source.read("case-001").problems == {"selfie": "missing"}
    assert source.read("case-002").problems == {"selfie": "too_large"}
    with pytest.raises(CaseFolderError, match="no case.json"):
        source.read("case-404")


def test_batch_command_over_real_s3(
    tmp_path: Path,
    recorder: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from moto.server import ThreadedMotoServer

    from commands import main
    from workers.services import free_port, local_s3_env, wait_for_port
    from workers.settings import Settings
    from workers.storage import S3Store

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        wait_for_port(port)
        for key, value in local_s3_env(port).items():
            monkeypatch.setenv(key, value)
        s3 = S3Store(Settings.from_env().s3)  # type: ignore[arg-type]
        local = _store_with_cases(tmp_path / "objects")
        s3.ensure_bucket("llave-cases")
        for key in local.list("llave-cases"):
            s3.put("llave-cases", key, local.get("llave-cases", key))
        labels = {
            f"case-{i:03d}": {"scenario": "genuine_ine", "expected_decision": "verified"}
            for i in range(3)
        }
        s3.put("llave-cases", "batch-7/labels.json", json.dumps({"cases": labels}).encode())
        out = tmp_path / "out"
        args = ["batch", "s3://llave-cases/batch-7", "--out", str(out), "--workers", "2"]
        assert main([*args, "--cache", str(tmp_path / "cache")]) == 0
        verdict = json.loads((out / "case-002.json").read_text())
        assert verdict["submission_id"] == "sub-0002" and verdict["decision"] == "verified"
        assert "automation: 3 of 3 genuine verified" in capsys.readouterr().out
        assert main([*args, "--cache", str(tmp_path / "cache")]) == 0  # resumed: nothing to do
        assert "3 cases, 0 to run" in capsys.readouterr().err
    finally:
        server.stop()


def test_lazy_engines_load_once_and_only_when_used() -> None:
    calls: list[int] = []

    class Loaded:
        ocr = "ocr"

    def load():
        calls.append(1)
        return Loaded()

    engines = LazyEngines(load)  # type: ignore[arg-type]
    assert not engines.loaded and calls == []
    assert engines.ocr == "ocr" and engines.ocr == "ocr"
    assert engines.loaded and calls == [1]


def test_batch_command_rejects_policy_with_queue(tmp_path: Path, capsys) -> None:
    from commands import main

    code = main(["batch", str(tmp_path), "--out", str(tmp_path / "o"), "--queue", "--cache", "c"])
    assert code == 2 and "--policy and --cache apply to local runs" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _no_leftover_context() -> Iterator[None]:
    yield
    batch._CONTEXT, batch._SOURCE = None, None
