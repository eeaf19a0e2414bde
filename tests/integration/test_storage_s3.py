"""The S3 ObjectStore against moto's server over real HTTP: contract, limits, outages."""

from __future__ import annotations

import datetime as dt
import time
import urllib.request

import pytest

from pipeline.errors import ObjectTooLarge, StorageError
from workers.settings import S3Settings
from workers.storage import InvalidObjectKey, ObjectMissing, S3Store


def test_put_get_stat_list_delete(s3_store: S3Store, settings) -> None:  # type: ignore[no-untyped-def]
    bucket = settings.upload_bucket
    s3_store.put(bucket, "s-1/selfie.jpg", b"\xff\xd8jpeg", "image/jpeg")
    s3_store.put(bucket, "s-1/id_front.png", b"png", "image/png")
    s3_store.put(bucket, "s-2/selfie.jpg", b"other")
    info = s3_store.stat(bucket, "s-1/selfie.jpg")
    assert info is not None and info.size == 6 and info.content_type == "image/jpeg"
    assert s3_store.get(bucket, "s-1/selfie.jpg", max_bytes=6) == b"\xff\xd8jpeg"
    assert list(s3_store.list(bucket, "s-1/")) == ["s-1/id_front.png", "s-1/selfie.jpg"]
    s3_store.delete(bucket, "s-1/selfie.jpg")
    s3_store.delete(bucket, "s-1/selfie.jpg")
    assert s3_store.stat(bucket, "s-1/selfie.jpg") is None
    with pytest.raises(ObjectMissing):
        s3_store.get(bucket, "s-1/selfie.jpg")
    with pytest.raises(ObjectMissing):
        s3_store.get("no-such-bucket-here", "s-1/selfie.jpg")


def test_size_limit_checked_before_download(s3_store: S3Store, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bucket = settings.upload_bucket
    s3_store.put(bucket, "s-1/big.pdf", b"%PDF-" + b"x" * 5000)
    downloads: list[str] = []
    original = s3_store.client.get_object
    monkeypatch.setattr(
        s3_store.client, "get_object", lambda *a, **k: downloads.append(a[1]) or original(*a, **k)
    )
    with pytest.raises(ObjectTooLarge):
        s3_store.get(bucket, "s-1/big.pdf", max_bytes=1000)
    assert downloads == []
    assert len(s3_store.get(bucket, "s-1/big.pdf", max_bytes=5005)) == 5005


def test_presigned_url_downloads_the_object(s3_store: S3Store, settings) -> None:  # type: ignore[no-untyped-def]
    s3_store.put(settings.verdict_bucket, "s-1/face_id.jpg", b"crop", "image/jpeg")
    url = s3_store.presigned_get(
        settings.verdict_bucket, "s-1/face_id.jpg", dt.timedelta(minutes=2)
    )
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == b"crop"


@pytest.mark.parametrize("key", ["../x", "s-1/../../x", "/abs", "a//b", "s-1/\x00"])
def test_hostile_keys_never_reach_the_server(s3_store: S3Store, settings, key: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidObjectKey):
        s3_store.get(settings.upload_bucket, key)
    with pytest.raises(InvalidObjectKey):
        s3_store.put(settings.upload_bucket, key, b"x")


def test_unreachable_endpoint_is_a_fast_storage_error() -> None:
    from workers.services import free_port

    dead = S3Store(
        S3Settings(f"127.0.0.1:{free_port()}", "k", "s", secure=False, region="us-east-1")
    )
    started = time.monotonic()
    with pytest.raises(StorageError) as caught:
        dead.get("llave-uploads", "s-1/selfie.jpg")
    assert not isinstance(caught.value, ObjectMissing | ObjectTooLarge)
    assert time.monotonic() - started < 5
    assert "unreachable" in str(caught.value)
