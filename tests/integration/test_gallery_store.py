"""The shared duplicate-identity gallery (``workers.gallery_store``) on a real redis-server, and
end to end through ``verify_submission`` with the real pipeline on a genuine fixture case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from cryptography.fernet import Fernet

from pipeline.gallery import GalleryError
from workers import gallery_store
from workers.gallery_store import GalleryCache

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "fixtures" / "cases"
KEY = Fernet.generate_key()


def _templates(n: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, 128)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True) * 0.9


def test_enroll_search_remove_round_trip(redis_conn) -> None:  # type: ignore[no-untyped-def]
    vectors = _templates(5)
    for i, vector in enumerate(vectors):
        gallery_store.enroll(redis_conn, f"acc-{i}", f"CURP{i}", f"s-{i}", vector, KEY)
    gallery = gallery_store.load_gallery(redis_conn, KEY)
    assert len(gallery) == 5
    (hit,) = gallery.search(vectors[3] + 0.001, k=1)
    assert (hit.account_id, hit.curp, hit.submission_id) == ("acc-3", "CURP3", "s-3")
    assert hit.distance < 0.02
    assert gallery_store.remove(redis_conn, "acc-3")
    assert not gallery_store.remove(redis_conn, "acc-3")
    gallery = gallery_store.load_gallery(redis_conn, KEY)
    assert "acc-3" not in gallery and len(gallery) == 4
    assert gallery_store.version(redis_conn) == 6


def test_records_are_encrypted_at_rest(redis_conn) -> None:  # type: ignore[no-untyped-def]
    vector = _templates(1)[0]
    gallery_store.enroll(redis_conn, "acc-1", "ZUVI810107MOCXRN76", "s-1", vector, KEY)
    stored = b"".join(redis_conn.hvals(gallery_store.TEMPLATES))
    raw = vector.astype("<f4").tobytes()
    assert raw not in stored and raw[:16] not in stored
    assert b"ZUVI810107" not in stored
    for key in redis_conn.keys("*"):  # nowhere else in Redis either
        if redis_conn.type(key) == b"hash":
            assert all(raw[:16] not in v for v in redis_conn.hvals(key))
    with pytest.raises(GalleryError, match="wrong gallery key"):
        gallery_store.load_gallery(redis_conn, Fernet.generate_key())


def test_enroll_refuses_without_key(redis_conn, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LLAVE_GALLERY_KEY", raising=False)
    with pytest.raises(GalleryError, match="unencrypted"):
        gallery_store.enroll(redis_conn, "acc-1", "C", "s-1", _templates(1)[0])
    assert redis_conn.hlen(gallery_store.TEMPLATES) == 0


def test_remove_for_a_submission_keeps_a_newer_template(redis_conn) -> None:  # type: ignore[no-untyped-def]
    gallery_store.enroll(redis_conn, "acc-1", "C", "s-new", _templates(1)[0], KEY)
    assert not gallery_store.remove(redis_conn, "acc-1", "s-old")
    assert gallery_store.remove(redis_conn, "acc-1", "s-new")


def test_cache_applies_only_changes(redis_conn) -> None:  # type: ignore[no-untyped-def]
    vectors = _templates(4, seed=2)
    gallery_store.enroll(redis_conn, "acc-0", "C0", "s-0", vectors[0], KEY)
    cache = GalleryCache(KEY)
    first = cache.current(redis_conn)
    assert len(first) == 1 and cache.version == 1
    assert cache.current(redis_conn) is first  # unchanged: the same copy
    gallery_store.enroll(redis_conn, "acc-1", "C1", "s-1", vectors[1], KEY)
    gallery_store.enroll(redis_conn, "acc-0", "C0", "s-0b", vectors[2], KEY)  # replaced
    gallery_store.remove(redis_conn, "acc-1")
    gallery_store.enroll(redis_conn, "acc-3", "C3", "s-3", vectors[3], KEY)
    updated = cache.current(redis_conn)
    assert updated is first and cache.version == 5
    assert sorted(a for a in ("acc-0", "acc-1", "acc-3") if a in updated) == ["acc-0", "acc-3"]
    assert updated.search(vectors[2], k=1)[0].submission_id == "s-0b"
    redis_conn.flushdb()  # the store was reset: reload from scratch
    assert len(cache.current(redis_conn)) == 0


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def engines():  # type: ignore[no-untyped-def]
    from pipeline.engines import Engines

    return Engines.load()


@pytest.fixture(scope="module")
def stage_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stage-cache")


@pytest.fixture
def worker(stack_env, engines, stage_cache, monkeypatch) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    """``verify_submission`` in this process with the shared gallery and a stage cache."""
    from pipeline.orchestrator import Context
    from pipeline.policy import load_policy
    from workers import jobs
    from workers.cache import DirectoryCache
    from workers.settings import Settings

    for name, value in {**stack_env, "LLAVE_GALLERY_KEY": KEY.decode()}.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    cache = DirectoryCache(stage_cache)  # the reruns reuse the OCR and face readings
    context = Context(engines=engines, policy=load_policy(), cache=cache)
    jobs.install(jobs.WorkerState(settings=settings, context=context, gallery=GalleryCache(KEY)))
    jobs._CLIENTS.clear()
    try:
        yield {"settings": settings}
    finally:
        jobs._STATE = None
        jobs._CLIENTS.clear()


def _genuine_case() -> Path:
    labels = json.loads((CASES / "labels.json").read_text())["cases"]
    name = next(n for n, c in sorted(labels.items()) if c["scenario"] == "genuine_ine")
    return CASES / name


def _other_curp(case: Path) -> str:
    mine = json.loads((case / "case.json").read_text())["registration"]["curp"]
    labels = json.loads((CASES / "labels.json").read_text())["cases"]
    for name in sorted(labels):
        curp = json.loads((CASES / name / "case.json").read_text())["registration"]["curp"]
        if curp != mine and labels[name]["scenario"].startswith("genuine"):
            return curp
    raise AssertionError("no second genuine CURP in the fixtures")


def _submit(settings, payload, sid: str, account: str, curp: str | None = None):  # type: ignore[no-untyped-def]
    from workers.client import read_verdict
    from workers.jobs import verify_submission

    data = payload.model_dump(mode="json")
    data["submission_id"], data["account_id"] = sid, account
    if curp:
        data["registration"]["curp"] = curp
    verify_submission(data)
    return read_verdict(sid, settings)


def test_same_face_other_curp_is_a_duplicate(worker, s3_store, redis_conn) -> None:  # type: ignore[no-untyped-def]
    from workers.client import upload_case

    settings = worker["settings"]
    case = _genuine_case()
    payload = upload_case(case, s3_store, settings.upload_bucket)

    first = _submit(settings, payload, "sub-first", "acc-a")
    assert first["decision"] == "verified", first["reasons"]
    assert redis_conn.hexists(gallery_store.TEMPLATES, "acc-a")
    assert "template" not in json.dumps(first)  # the encoding never enters the verdict

    other = _other_curp(case)
    dup = _submit(settings, payload, "sub-dup", "acc-b", curp=other)
    assert "DUPLICATE_IDENTITY" in dup["reasons"]
    assert dup["decision"] != "verified"
    assert not redis_conn.hexists(gallery_store.TEMPLATES, "acc-b")

    again = _submit(settings, payload, "sub-same", "acc-c")  # same CURP: the same person
    assert "DUPLICATE_IDENTITY" not in again["reasons"]
    assert again["decision"] == "verified"

    gallery_store.remove(redis_conn, "acc-a")
    gallery_store.remove(redis_conn, "acc-c")
    after = _submit(settings, payload, "sub-after", "acc-d", curp=other)
    assert "DUPLICATE_IDENTITY" not in after["reasons"]


# --------------------------------------------------------------------------- review, purge


def test_review_template_parked_encrypted_then_enrolled(redis_conn, s3_store, settings) -> None:  # type: ignore[no-untyped-def]
    vector = _templates(1, seed=3)[0]
    bucket = settings.verdict_bucket
    key = gallery_store.park_template(s3_store, bucket, "s-rev", vector, KEY)
    assert vector.astype("<f4").tobytes()[:16] not in s3_store.get(bucket, key)
    assert gallery_store.enroll_reviewed(
        redis_conn, s3_store, bucket, account_id="acc-r", submission_id="s-rev", curp="C", key=KEY
    )
    hit = gallery_store.load_gallery(redis_conn, KEY).search(vector, k=1)[0]
    assert (hit.account_id, hit.submission_id) == ("acc-r", "s-rev") and hit.distance < 1e-5
    assert not gallery_store.enroll_reviewed(
        redis_conn, s3_store, bucket, account_id="acc-x", submission_id="s-none", curp="C", key=KEY
    )


def test_purge_account_removes_template_and_parked_copy(redis_conn, s3_store, settings) -> None:  # type: ignore[no-untyped-def]
    from workers.purge import PurgeTargets, purge_account, purge_one

    targets = PurgeTargets(
        store=s3_store,
        redis=redis_conn,
        upload_bucket=settings.upload_bucket,
        verdict_bucket=settings.verdict_bucket,
    )
    vectors = _templates(2, seed=4)
    gallery_store.enroll(redis_conn, "acc-1", "C1", "s-1", vectors[0], KEY)
    gallery_store.enroll(redis_conn, "acc-2", "C2", "s-2", vectors[1], KEY)
    gallery_store.park_template(s3_store, settings.verdict_bucket, "s-2", vectors[1], KEY)
    cache = GalleryCache(KEY)
    assert len(cache.current(redis_conn)) == 2

    report = purge_account(targets, "acc-1", "suplantacion_identidad", "test")
    assert report.deleted["template:face"] == 1
    assert "acc-1" not in cache.current(redis_conn)  # every worker's next job sees it

    payload = json.dumps({"account_id": "acc-2", "documents": {}}).encode()
    s3_store.put(settings.verdict_bucket, "s-2/payload.json", payload, "application/json")
    gallery_store.enroll(redis_conn, "acc-2", "C2", "s-3", vectors[1], KEY)  # a newer one
    purge_one(targets, "s-2", "solicitud_titular", "test")
    assert s3_store.stat(settings.verdict_bucket, "s-2/template.enc") is None
    assert redis_conn.hexists(gallery_store.TEMPLATES, "acc-2")  # s-3's template stays
    s3_store.put(settings.verdict_bucket, "s-3/payload.json", payload, "application/json")
    purge_one(targets, "s-3", "solicitud_titular", "test")
    assert redis_conn.hlen(gallery_store.TEMPLATES) == 0


def test_retention_expiry_keeps_a_verified_accounts_template(
    redis_conn, s3_store, settings
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from workers import accounts
    from workers.purge import PurgeTargets, Retention, purge_expired

    targets = PurgeTargets(
        store=s3_store,
        redis=redis_conn,
        upload_bucket=settings.upload_bucket,
        verdict_bucket=settings.verdict_bucket,
    )
    accounts.apply_decision(
        redis_conn, account_id="acc-1", submission_id="s-1", decision="verified", source="pipeline"
    )
    payload = json.dumps({"account_id": "acc-1", "documents": {}}).encode()
    s3_store.put(settings.verdict_bucket, "s-1/payload.json", payload, "application/json")
    gallery_store.enroll(redis_conn, "acc-1", "C1", "s-1", _templates(1)[0], KEY)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3000)
    report = purge_expired(targets, Retention(uploads_days=90, verdicts_days=730), "test", later)
    assert report.submission_ids == ["s-1"]
    assert redis_conn.hexists(gallery_store.TEMPLATES, "acc-1")


def test_sink_parks_a_review_template_and_enrolls_only_verified(
    redis_conn, s3_store, settings
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from models.codes import Decision
    from pipeline.orchestrator import Outcome
    from tests.console.seed import build_case
    from workers.sink import VerdictSink

    payload, verdict, _ = build_case(0, dt.datetime.now(dt.UTC))
    template = [float(x) for x in _templates(1, seed=5)[0]]
    sink = VerdictSink(s3_store, redis_conn, settings.verdict_bucket, gallery_key=KEY)
    sid = payload.submission_id

    sink.write(Outcome(verdict, templates={"selfie": template}), payload)  # a review verdict
    parked = s3_store.get(settings.verdict_bucket, f"{sid}/template.enc")
    assert np.asarray(template, "<f4").tobytes()[:16] not in parked
    assert redis_conn.hlen(gallery_store.TEMPLATES) == 0
    assert b"template" not in s3_store.get(settings.verdict_bucket, f"{sid}/verdict.json")

    verified = verdict.model_copy(update={"decision": Decision.VERIFIED, "reasons": []})
    sink.write(Outcome(verified, templates={"selfie": template}), payload)
    assert gallery_store.load_gallery(redis_conn, KEY).search(template, k=1)[0].account_id == (
        payload.account_id
    )
    keyless = VerdictSink(s3_store, redis_conn, settings.verdict_bucket)
    gallery_store.remove(redis_conn, payload.account_id)
    keyless.write(Outcome(verified, templates={"selfie": template}), payload)
    assert redis_conn.hlen(gallery_store.TEMPLATES) == 0  # no key: nothing enrolled in clear


def test_worker_parent_refreshes_before_forking(redis_conn, settings) -> None:  # type: ignore[no-untyped-def]
    from pipeline.orchestrator import Context
    from pipeline.policy import load_policy
    from workers import jobs
    from workers.queue import get_queue
    from workers.worker import LlaveWorker

    cache = GalleryCache(KEY)
    context = Context(engines=None, policy=load_policy())  # type: ignore[arg-type]
    jobs.install(jobs.WorkerState(settings=settings, context=context, gallery=cache))
    try:
        worker = LlaveWorker.configured(settings, [get_queue(redis_conn)], "w-1", redis_conn)
        gallery_store.enroll(redis_conn, "acc-1", "C1", "s-1", _templates(1)[0], KEY)
        worker._refresh_gallery()
        assert cache.version == 1
        ctx = jobs.job_context(jobs.current_state(), redis_conn)
        assert ctx.gallery is not None and "acc-1" in ctx.gallery
    finally:
        jobs._STATE = None
