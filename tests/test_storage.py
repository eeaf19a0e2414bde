"""The local-directory ObjectStore: contract, size limits before reading, hostile keys."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from pipeline.errors import ObjectTooLarge, StorageError
from workers.storage import InvalidObjectKey, LocalStore, ObjectMissing, ObjectStore

HOSTILE_KEYS = [
    "../escape.txt",
    "s-1/../../escape.txt",
    "/etc/passwd",
    "s-1//x",
    "s-1/./x",
    "s-1\\x",
    "s-1/\x00x",
    "s-1/\nx",
    "",
    "x" * 1100,
    "s-1/",
]


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    local = LocalStore(tmp_path / "objects")
    local.ensure_bucket("llave-uploads")
    return local


def test_is_an_object_store(store: LocalStore) -> None:
    assert isinstance(store, ObjectStore)


def test_put_get_stat_list_delete(store: LocalStore) -> None:
    store.put("llave-uploads", "s-1/selfie.jpg", b"\xff\xd8jpeg", "image/jpeg")
    store.put("llave-uploads", "s-1/id_front.png", b"png")
    store.put("llave-uploads", "s-2/selfie.jpg", b"other")
    info = store.stat("llave-uploads", "s-1/selfie.jpg")
    assert info is not None and info.size == 6 and info.content_type == "image/jpeg"
    assert store.get("llave-uploads", "s-1/selfie.jpg") == b"\xff\xd8jpeg"
    assert list(store.list("llave-uploads", "s-1/")) == ["s-1/id_front.png", "s-1/selfie.jpg"]
    store.delete("llave-uploads", "s-1/selfie.jpg")
    store.delete("llave-uploads", "s-1/selfie.jpg")  # idempotent
    assert store.stat("llave-uploads", "s-1/selfie.jpg") is None
    assert list(store.list("llave-uploads")) == ["s-1/id_front.png", "s-2/selfie.jpg"]


def test_overwrite_replaces_whole_object(store: LocalStore) -> None:
    store.put("llave-uploads", "s-1/verdict.json", b"a much longer first version")
    store.put("llave-uploads", "s-1/verdict.json", b"v2")
    assert store.get("llave-uploads", "s-1/verdict.json") == b"v2"
    leftovers = [
        p for p in (store.root / "llave-uploads" / "s-1").iterdir() if p.name.startswith(".tmp")
    ]
    assert leftovers == []


def test_missing_object_and_bucket(store: LocalStore) -> None:
    with pytest.raises(ObjectMissing):
        store.get("llave-uploads", "s-1/nothing.jpg")
    with pytest.raises(ObjectMissing):
        store.get("no-such-bucket", "s-1/nothing.jpg")
    assert list(store.list("no-such-bucket")) == []


def test_too_large_is_refused_before_reading(store: LocalStore, monkeypatch) -> None:
    store.put("llave-uploads", "s-1/big.jpg", b"x" * 1001)
    opened: list[Path] = []
    original_open = Path.open

    def spy_open(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(self)
        return original_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy_open)
    with pytest.raises(ObjectTooLarge) as caught:
        store.get("llave-uploads", "s-1/big.jpg", max_bytes=1000)
    assert not any(p.name == "big.jpg" for p in opened)
    assert "1001 bytes" in str(caught.value)
    assert store.get("llave-uploads", "s-1/big.jpg", max_bytes=1001) == b"x" * 1001


def test_too_large_is_not_retried_storage_error() -> None:
    assert issubclass(ObjectTooLarge, StorageError) and issubclass(ObjectMissing, StorageError)


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_hostile_keys_are_refused(store: LocalStore, key: str) -> None:
    for operation in (
        lambda: store.get("llave-uploads", key),
        lambda: store.put("llave-uploads", key, b"x"),
        lambda: store.stat("llave-uploads", key),
        lambda: store.delete("llave-uploads", key),
    ):
        with pytest.raises(InvalidObjectKey):
            operation()
    assert not (store.root.parent / "escape.txt").exists()


@pytest.mark.parametrize("bucket", ["..", "../x", "A-UPPER", "a", ".meta", "x" * 70, "a/b"])
def test_hostile_bucket_names_are_refused(store: LocalStore, bucket: str) -> None:
    with pytest.raises(InvalidObjectKey):
        store.put(bucket, "s-1/x.jpg", b"x")


def test_symlink_inside_bucket_cannot_escape(store: LocalStore, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    os.symlink(tmp_path, store.root / "llave-uploads" / "link")
    with pytest.raises(InvalidObjectKey):
        store.get("llave-uploads", "link/secret.txt")
    assert "link/secret.txt" not in list(store.list("llave-uploads"))


def test_presigned_get_is_a_file_url(store: LocalStore) -> None:
    store.put("llave-uploads", "s-1/selfie.jpg", b"x")
    url = store.presigned_get("llave-uploads", "s-1/selfie.jpg", dt.timedelta(minutes=5))
    assert url.startswith("file://") and url.endswith("/llave-uploads/s-1/selfie.jpg")
    with pytest.raises(ObjectMissing):
        store.presigned_get("llave-uploads", "s-1/none.jpg", dt.timedelta(minutes=5))
