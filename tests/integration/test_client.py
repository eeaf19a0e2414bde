"""The backend client: upload a case, enqueue once per submission."""

from __future__ import annotations

from pathlib import Path

from rq import Queue
from rq.serializers import JSONSerializer

from tests.integration.cases import make_case
from workers.client import job_state, status, submit, upload_case


def test_upload_case_builds_the_payload(tmp_path: Path, s3_store, settings) -> None:  # type: ignore[no-untyped-def]
    payload = upload_case(make_case(tmp_path, 3), s3_store, settings.upload_bucket)
    assert payload.bucket == settings.upload_bucket
    assert payload.documents.roles() == {
        "id_front": "sub-0003/id_front.jpg",
        "address_proof": "sub-0003/address_proof.jpg",
        "selfie": "sub-0003/selfie.jpg",
    }
    assert s3_store.stat(settings.upload_bucket, "sub-0003/selfie.jpg").content_type == "image/jpeg"


def test_submitting_twice_enqueues_once(tmp_path: Path, s3_store, settings, redis_conn) -> None:  # type: ignore[no-untyped-def]
    payload = upload_case(make_case(tmp_path, 1), s3_store, settings.upload_bucket)
    first = submit(payload.model_dump(mode="json"), settings=settings, connection=redis_conn)
    second = submit(payload, settings=settings, connection=redis_conn)
    assert first.enqueued and not second.enqueued and second.state == "queued"
    queue = Queue("verification", connection=redis_conn, serializer=JSONSerializer)
    assert queue.job_ids == ["verify-sub-0001"]
    job = queue.fetch_job("verify-sub-0001")
    assert job.retries_left == len(settings.retry_intervals)
    assert job.description == "verify sub-0001"  # no personal data in RQ's description
    assert job_state(redis_conn, "sub-0001") == "queued"
    assert status("sub-0001", settings) == {"submission_id": "sub-0001", "job": "queued"}
