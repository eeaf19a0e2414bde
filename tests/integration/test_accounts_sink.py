"""Account status, verdict events and the sink: atomic, idempotent, ordered by submission."""

from __future__ import annotations

import datetime as dt
import threading

from models import JobPayload, Verdict
from models.codes import Decision
from workers import accounts
from workers.sink import VerdictSink

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def _apply(
    r,
    sid: str,
    decision: str,
    *,
    at: dt.datetime = T0,
    source: str = "pipeline",
    review: bool = False,
):  # type: ignore[no-untyped-def]
    return accounts.apply_decision(
        r,
        account_id="acc-1",
        submission_id=sid,
        decision=decision,
        source=source,
        submitted_at=at if source == "pipeline" else None,
        queue_review=review,
    )


def test_repeated_decision_publishes_one_event(redis_conn) -> None:  # type: ignore[no-untyped-def]
    first = _apply(redis_conn, "s-1", "review", review=True)
    second = _apply(redis_conn, "s-1", "review", review=True)
    assert first.new_event and not second.new_event
    assert first.event_id == second.event_id and first.review_id == second.review_id
    assert len(accounts.events_for(redis_conn, "s-1")) == 1
    assert redis_conn.xlen(accounts.REVIEW_STREAM) == 1
    assert accounts.get_account(redis_conn, "acc-1")["status"] == "review"


def test_concurrent_writers_publish_once(redis_conn) -> None:  # type: ignore[no-untyped-def]
    threads = [
        threading.Thread(target=_apply, args=(redis_conn, "s-9", "verified")) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(accounts.events_for(redis_conn, "s-9")) == 1


def test_older_submission_never_overwrites_newer(redis_conn) -> None:  # type: ignore[no-untyped-def]
    _apply(redis_conn, "s-new", "verified", at=T0 + dt.timedelta(days=1))
    late = _apply(redis_conn, "s-old", "resubmit", at=T0)
    assert not late.status_applied and late.new_event
    account = accounts.get_account(redis_conn, "acc-1")
    assert account["status"] == "verified" and account["submission_id"] == "s-new"


def test_pipeline_rerun_keeps_reviewer_decision(redis_conn) -> None:  # type: ignore[no-untyped-def]
    _apply(redis_conn, "s-1", "review", review=True)
    decided = accounts.record_review_decision(
        redis_conn, account_id="acc-1", submission_id="s-1", decision="verified"
    )
    assert decided.status_applied and decided.new_event
    rerun = _apply(redis_conn, "s-1", "review", review=True)
    assert not rerun.status_applied and not rerun.new_event
    account = accounts.get_account(redis_conn, "acc-1")
    assert (account["status"], account["source"]) == ("verified", "reviewer")
    sources = [e["source"] for e in accounts.events_for(redis_conn, "s-1")]
    assert sources == ["pipeline", "reviewer"]


def test_review_group_is_created_idempotently(redis_conn) -> None:  # type: ignore[no-untyped-def]
    accounts.ensure_review_group(redis_conn)
    accounts.ensure_review_group(redis_conn)
    _apply(redis_conn, "s-1", "review", review=True)
    groups = redis_conn.xinfo_groups(accounts.REVIEW_STREAM)
    assert [g["name"] for g in groups] == [b"reviewers"]
    delivered = redis_conn.xreadgroup("reviewers", "ana", {accounts.REVIEW_STREAM: ">"}, count=10)
    assert len(delivered[0][1]) == 1


def _payload(sid: str, bucket: str) -> JobPayload:
    return JobPayload.model_validate(
        {
            "submission_id": sid,
            "account_id": "acc-7",
            "submitted_at": T0.isoformat(),
            "bucket": bucket,
            "registration": {
                "nombre": "PRUEBA",
                "primer_apellido": "SINTETICA",
                "curp": "XEXX010101HDFXXX04",
                "fecha_nacimiento": "2001-01-01",
                "sexo": "H",
                "entidad_nacimiento": "DF",
                "domicilio": {
                    "calle": "C",
                    "numero_exterior": "1",
                    "colonia": "X",
                    "municipio": "Y",
                    "entidad": "CDMX",
                    "codigo_postal": "06000",
                },
            },
            "documents": {
                "id_type": "ine",
                "id_front": f"{sid}/id_front.jpg",
                "address_proof": f"{sid}/address_proof.pdf",
                "selfie": f"{sid}/selfie.jpg",
            },
        }
    )


def _verdict(sid: str, decision: str) -> Verdict:
    return Verdict(
        submission_id=sid,
        account_id="acc-7",
        decision=Decision(decision),
        confidence=0.5,
        reasons=["FACE_MISMATCH"] if decision == "review" else [],
        checks=[],
        extracted={},
        pipeline_version="test",
        policy_version="test",
        timings_ms={},
        decided_at=T0,
    )


def test_sink_rerun_overwrites_and_never_duplicates(redis_conn, s3_store, settings) -> None:  # type: ignore[no-untyped-def]
    from pipeline.orchestrator import Outcome

    sink = VerdictSink(store=s3_store, redis=redis_conn, bucket=settings.verdict_bucket)
    payload = _payload("s-42", settings.upload_bucket)
    outcome = Outcome(_verdict("s-42", "review"), {"face_id.jpg": b"a", "face_selfie.jpg": b"b"})
    first = sink.write(outcome, payload)
    second = sink.write(outcome, payload)
    assert first.new_event and not second.new_event and first.event_id == second.event_id
    keys = list(s3_store.list(settings.verdict_bucket, "s-42/"))
    assert keys == [
        "s-42/face_id.jpg",
        "s-42/face_selfie.jpg",
        "s-42/payload.json",
        "s-42/verdict.json",
    ]
    stored = Verdict.model_validate_json(s3_store.get(settings.verdict_bucket, "s-42/verdict.json"))
    assert stored.artefacts == {
        "face_id.jpg": "s-42/face_id.jpg",
        "face_selfie.jpg": "s-42/face_selfie.jpg",
    }
    assert len(accounts.events_for(redis_conn, "s-42")) == 1
    assert len(accounts.events_for(redis_conn, "s-42", accounts.REVIEW_STREAM)) == 1
    record = accounts.get_submission_record(redis_conn, "s-42")
    assert record["verdict_key"] == "s-42/verdict.json" and record["decision"] == "review"
