"""``llave-verify purge``: a submission's or an account's data goes everywhere it was kept, the
neighbours' stays, and the audit says what went without saying what it was.

A real redis-server (``tests/redis_service.py``), a ``LocalStore``, an encrypted gallery file
and a stage cache folder. Submissions are seeded as the verdict sink leaves them (uploads,
payload.json, verdict.json, face crops, account status, verdict event, review entry, RQ job).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from tests import hostile
from tests.redis_service import RedisService
from workers import accounts, purge
from workers.cache import DirectoryCache
from workers.queue import job_id_for
from workers.storage import LocalStore

UPLOADS, VERDICTS = "llave-uploads", "llave-verdicts"


@pytest.fixture(scope="module")
def redis_service(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    service = RedisService(tmp_path_factory.mktemp("redis-purge"), persist=False)
    yield service
    service.stop()


@pytest.fixture
def r(redis_service: RedisService):  # type: ignore[no-untyped-def]
    client = redis_service.client()
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def gallery_key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    monkeypatch.setenv("LLAVE_GALLERY_KEY", key.decode())
    return key


@pytest.fixture
def targets(tmp_path: Path, r, gallery_key: bytes) -> purge.PurgeTargets:  # type: ignore[no-untyped-def]
    store = LocalStore(tmp_path / "objects")
    store.ensure_bucket(UPLOADS)
    store.ensure_bucket(VERDICTS)
    return purge.PurgeTargets(
        store=store,
        redis=r,
        upload_bucket=UPLOADS,
        verdict_bucket=VERDICTS,
        gallery_path=tmp_path / "gallery.bin",
        cache_dirs=[tmp_path / "cache"],
    )


def template(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=128).astype(np.float32)
    return vector / np.linalg.norm(vector)


def seed_submission(
    targets: purge.PurgeTargets,
    sid: str,
    account: str,
    decision: str = "review",
    decided_at: dt.datetime | None = None,
) -> dict:
    """What the sink leaves for one submission; returns the payload."""
    from rq import Queue
    from rq.serializers import JSONSerializer

    from workers.jobs import parse_payload

    payload = {**hostile.payload_dict(sid), "account_id": account, "bucket": UPLOADS}
    model = parse_payload(payload)
    files = {}
    for role, key in model.documents.roles().items():
        files[role] = hostile.jpeg() + f"{sid}/{role}".encode()  # distinct digests
        targets.store.put(UPLOADS, key, files[role])
    targets.store.put(VERDICTS, f"{sid}/payload.json", json.dumps(payload).encode())
    targets.store.put(VERDICTS, f"{sid}/verdict.json", b'{"decision": "review"}')
    targets.store.put(VERDICTS, f"{sid}/face_id.jpg", hostile.jpeg())
    targets.store.put(VERDICTS, f"{sid}/face_selfie.jpg", hostile.jpeg())
    accounts.apply_decision(
        targets.redis,
        account_id=account,
        submission_id=sid,
        decision=decision,
        source="pipeline",
        verdict_key=f"{sid}/verdict.json",
        queue_review=decision == "review",
    )
    if decided_at is not None:
        targets.redis.hset(accounts.submission_key(sid), "updated_at", decided_at.isoformat())
    queue = Queue("verification", connection=targets.redis, serializer=JSONSerializer)
    queue.enqueue("workers.jobs.verify_submission", payload, job_id=job_id_for(sid))
    seed_cache(targets, model, files)
    return payload


def seed_cache(targets: purge.PurgeTargets, model, files: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    """Cache entries under the keys the orchestrator computes for these uploads."""
    from pipeline import orchestrator
    from pipeline.cache import stage_key
    from pipeline.policy import load_policy
    from workers.jobs import file_name_for

    names = {role: file_name_for(role, key) for role, key in model.documents.roles().items()}
    case_files = orchestrator.CaseFiles(case=model.as_case(names), files=files)
    uploads = orchestrator.Uploads(case_files, orchestrator.limits_of(load_policy()))
    digest = uploads.digest
    keys = [stage_key("decode", role, digest(role)) for role in uploads.roles]
    keys.append(stage_key("id_document", "ine", digest("id_front"), digest("id_back")))
    keys.append(stage_key("address_proof", digest("address_proof")))
    keys.append(stage_key("faces", digest("id_front"), digest("selfie")))
    cache = DirectoryCache(targets.cache_dirs[0])
    for key in keys:
        cache.put(key, "{}")


def enrol(targets: purge.PurgeTargets, entries: list[tuple[str, str, int]]) -> None:
    from pipeline.gallery import Gallery

    gallery = Gallery()
    for account, sid, seed in entries:
        gallery.add(account, "XEXX010101HDFXXX04", sid, template(seed))
    gallery.save(targets.gallery_path)  # type: ignore[arg-type]


def leftovers(targets: purge.PurgeTargets, sid: str) -> dict[str, object]:
    """Everything still kept about ``sid`` (empty collections when the purge was complete)."""
    from rq.job import Job

    r = targets.redis
    return {
        "uploads": list(targets.store.list(UPLOADS, f"{sid}/")),
        "verdicts": list(targets.store.list(VERDICTS, f"{sid}/")),
        "review": accounts.events_for(r, sid, stream=accounts.REVIEW_STREAM),
        "job": Job.exists(job_id_for(sid), connection=r),
        "cache": sorted(p.name for p in targets.cache_dirs[0].rglob("*.json")),
    }


def assert_no_personal_data(entries: list[dict[str, str]]) -> None:
    text = json.dumps(entries, ensure_ascii=False)
    for value in ("PRUEBA", "HOSTIL", "XEXX010101HDFXXX04", "CALLE INVENTADA", "CENTRO"):
        assert value not in text


def test_submission_purge_deletes_everywhere_and_keeps_neighbours(targets, r) -> None:  # type: ignore[no-untyped-def]
    seed_submission(targets, "sub-a", "acc-1")
    seed_submission(targets, "sub-b", "acc-2")
    enrol(targets, [("acc-1", "sub-a", 1), ("acc-2", "sub-b", 2)])
    cached_before = len(leftovers(targets, "sub-b")["cache"])  # type: ignore[arg-type] # whole cache

    report = purge.purge_one(targets, "sub-a", "solicitud_titular", actor="ana")

    gone = leftovers(targets, "sub-a")
    assert gone["uploads"] == [] and gone["verdicts"] == [] and gone["review"] == []
    assert gone["job"] is False
    assert report.totals() == {
        "artefact": 2,
        "cache": 7,  # 4 decodes, id_document, address_proof, faces
        "job": 1,
        "review": 1,
        "template": 1,
        "upload": 4,
        "verdict": 2,  # verdict.json, payload.json
    }
    kept = leftovers(targets, "sub-b")
    assert len(kept["uploads"]) == 4 and len(kept["verdicts"]) == 4  # type: ignore[arg-type]
    assert kept["job"] is True and len(kept["review"]) == 1  # type: ignore[arg-type]
    assert cached_before == 14 and len(kept["cache"]) == 7  # type: ignore[arg-type]

    from pipeline.gallery import Gallery

    gallery = Gallery.load(targets.gallery_path)
    assert "acc-1" not in gallery and "acc-2" in gallery
    record = accounts.get_submission_record(r, "sub-a")
    assert record and record["purge_cause"] == "solicitud_titular" and "verdict_key" not in record
    (entry,) = purge.audit_entries(r)
    assert entry["scope"] == "submission" and entry["submission_ids"] == "sub-a"
    assert entry["account_id"] == "acc-1" and entry["actor"] == "ana"
    assert json.loads(entry["counts"])["upload"] == 4
    assert "upload:selfie" in json.loads(entry["kinds"])
    assert_no_personal_data(purge.audit_entries(r))


def test_account_cancellation_purges_every_submission_at_once(targets, r) -> None:  # type: ignore[no-untyped-def]
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    seed_submission(targets, "sub-old", "acc-9", decision="resubmit", decided_at=old)
    seed_submission(targets, "sub-new", "acc-9", decision="review")
    seed_submission(targets, "sub-other", "acc-8", decision="verified")
    enrol(targets, [("acc-9", "sub-new", 3), ("acc-8", "sub-other", 4)])

    report = purge.purge_account(targets, "acc-9", "suplantacion_identidad", actor="supervisor")

    assert sorted(report.submission_ids) == ["sub-new", "sub-old"]
    for sid in ("sub-old", "sub-new"):
        gone = leftovers(targets, sid)
        assert gone["uploads"] == [] and gone["verdicts"] == [] and gone["job"] is False
    assert accounts.get_account(r, "acc-9") is None
    assert accounts.get_account(r, "acc-8") is not None
    assert len(leftovers(targets, "sub-other")["uploads"]) == 4  # type: ignore[arg-type]
    from pipeline.gallery import Gallery

    assert "acc-9" not in Gallery.load(targets.gallery_path)
    assert targets.gallery_path.read_bytes().startswith(b"LLAVE-GALLERY-1-FERNET")  # type: ignore[union-attr]
    (entry,) = purge.audit_entries(r)
    assert entry["scope"] == "account" and entry["cause"] == "suplantacion_identidad"
    assert json.loads(entry["counts"])["account"] == 1
    assert_no_personal_data([entry])


def test_retention_expiry_in_two_steps(targets, r) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
    retention = purge.Retention(uploads_days=90, verdicts_days=730)
    seed_submission(targets, "sub-fresh", "acc-1", "resubmit", now - dt.timedelta(days=10))
    seed_submission(targets, "sub-aged", "acc-2", "resubmit", now - dt.timedelta(days=100))
    seed_submission(targets, "sub-open", "acc-3", "review", now - dt.timedelta(days=100))
    seed_submission(targets, "sub-ancient", "acc-4", "verified", now - dt.timedelta(days=800))

    report = purge.purge_expired(targets, retention, actor="cron", now=now)

    assert len(leftovers(targets, "sub-fresh")["uploads"]) == 4  # type: ignore[arg-type]
    aged = leftovers(targets, "sub-aged")
    assert aged["uploads"] == [] and aged["verdicts"] == ["sub-aged/verdict.json"]
    assert len(leftovers(targets, "sub-open")["uploads"]) == 4  # type: ignore[arg-type]
    assert report.kept_open_review == 1
    ancient = leftovers(targets, "sub-ancient")
    assert ancient["uploads"] == [] and ancient["verdicts"] == []
    assert sorted(report.submission_ids) == ["sub-aged", "sub-ancient"]

    again = purge.purge_expired(targets, retention, actor="cron", now=now)
    assert again.submission_ids == [] and again.totals() == {}
    later = purge.purge_expired(targets, retention, actor="cron", now=now + dt.timedelta(days=700))
    assert "sub-aged" in later.submission_ids
    assert leftovers(targets, "sub-aged")["verdicts"] == []
    entries = purge.audit_entries(r)
    assert [e["scope"] for e in entries] == ["expired"] * 3
    assert_no_personal_data(entries)


def test_unknown_cause_is_refused(targets) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(purge.PurgeError):
        purge.purge_one(targets, "sub-a", "porque si", actor="x")
    assert purge.audit_entries(targets.redis) == []


def test_purge_command(targets, redis_service, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from commands import main

    seed_submission(targets, "sub-cli", "acc-cli")
    monkeypatch.setenv("LLAVE_REDIS_URL", redis_service.url)
    monkeypatch.setenv("LLAVE_LOCAL_STORE", str(tmp_path / "objects"))
    monkeypatch.delenv("LLAVE_S3_ENDPOINT", raising=False)
    monkeypatch.setenv("LLAVE_GALLERY_PATH", str(targets.gallery_path))
    code = main(
        [
            "purge",
            "--account",
            "acc-cli",
            "--cause",
            "fallecimiento",
            "--actor",
            "ops",
            "--cache",
            str(targets.cache_dirs[0]),
        ]
    )
    printed = json.loads(capsys.readouterr().out)
    assert code == 0 and printed["submissions"] == 1 and printed["deleted"]["upload"] == 4
    assert leftovers(targets, "sub-cli")["uploads"] == []
    assert main(["purge", "--submission", "sub-x"]) == 2  # no cause
    with pytest.raises(SystemExit):
        main(["purge", "--submission", "sub-x", "--cause", "capricho"])
    assert main(["purge", "--expired"]) == 0


def test_doctests_of_purge_and_logs() -> None:
    """``workers/`` is outside pytest's doctest paths: run these modules' examples here."""
    import doctest

    from workers import logs

    for module in (purge, logs):
        failed, tried = doctest.testmod(module)
        assert tried and not failed, module.__name__
