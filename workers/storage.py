"""Object storage: one :class:`ObjectStore` protocol, an S3 and a local-directory implementation.

Errors, as the job sees them::

    StorageError            unreachable, timed out, refused, unexpected answer (RQ retries)
    ├── ObjectTooLarge      the object exceeds ``max_bytes`` (input problem, never retried)
    └── ObjectMissing       no such object or bucket (input problem, never retried)
    InvalidObjectKey        a key or bucket name that could escape its namespace (ValueError)

Sizes are checked with a metadata request before any byte is downloaded, and again while
reading, so an object replaced between the two cannot slip past the limit. Messages carry the
bucket and key (submission id and role, never personal data), not the object's content.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from pipeline.errors import ObjectTooLarge, StorageError
from workers.settings import S3Settings, Settings

__all__ = [
    "InvalidObjectKey",
    "LocalStore",
    "ObjectInfo",
    "ObjectMissing",
    "ObjectStore",
    "ObjectTooLarge",
    "S3Store",
    "StorageError",
    "check_bucket",
    "check_key",
    "store_from_settings",
]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
MAX_KEY_BYTES = 1024
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class ObjectMissing(StorageError):
    """The object (or its bucket) does not exist; an input problem, never retried."""


class InvalidObjectKey(ValueError):
    """A bucket name or object key that is not allowed (could escape its namespace)."""


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative object key, else raise :class:`InvalidObjectKey`.

    >>> check_key("s-1/selfie.jpg")
    's-1/selfie.jpg'
    >>> for bad in ["../x", "a/../b", "/abs", "a//b", "a\\\\b", "a/./b", "", "a\\x00b", "x/"]:
    ...     try:
    ...         check_key(bad)
    ...     except InvalidObjectKey:
    ...         pass
    ...     else:
    ...         print("accepted", repr(bad))
    """
    if not isinstance(key, str) or not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidObjectKey("object key is empty or too long")
    if key.startswith("/") or "\\" in key or _CONTROL.search(key):
        raise InvalidObjectKey("object key must be relative, without control characters")
    if any(segment in ("", ".", "..") for segment in key.split("/")):
        raise InvalidObjectKey("object key has an empty, '.' or '..' segment")
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a key prefix that may end with ``/``.

    >>> check_prefix(""), check_prefix("s-1/")
    ('', 's-1/')
    """
    if prefix:
        check_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def check_bucket(bucket: str) -> str:
    """Return ``bucket`` if it is a valid S3 bucket name.

    >>> check_bucket("llave-uploads")
    'llave-uploads'
    >>> check_bucket("../etc")
    Traceback (most recent call last):
    ...
    workers.storage.InvalidObjectKey: invalid bucket name
    """
    if not isinstance(bucket, str) or not _BUCKET.match(bucket) or ".." in bucket:
        raise InvalidObjectKey("invalid bucket name")
    return bucket


@dataclass(frozen=True)
class ObjectInfo:
    """What a metadata request tells about an object."""

    bucket: str
    key: str
    size: int
    content_type: str = DEFAULT_CONTENT_TYPE
    etag: str = ""


@runtime_checkable
class ObjectStore(Protocol):
    """The operations the workers, the client and the console need from object storage."""

    def stat(self, bucket: str, key: str) -> ObjectInfo | None:
        """The object's metadata, or None when it does not exist."""
        ...

    def get(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        """The object's bytes; :class:`ObjectMissing` / :class:`ObjectTooLarge` otherwise."""
        ...

    def put(
        self, bucket: str, key: str, data: bytes, content_type: str = DEFAULT_CONTENT_TYPE
    ) -> None:
        """Create or overwrite an object."""
        ...

    def delete(self, bucket: str, key: str) -> None:
        """Delete an object; deleting a missing object is not an error."""
        ...

    def list(self, bucket: str, prefix: str = "") -> Iterator[str]:
        """The keys under ``prefix`` (recursively), in lexical order."""
        ...

    def presigned_get(self, bucket: str, key: str, expires: dt.timedelta) -> str:
        """A URL that lets its holder download the object until ``expires`` has passed."""
        ...

    def ensure_bucket(self, bucket: str) -> None:
        """Create the bucket if it does not exist."""
        ...


def _too_large(bucket: str, key: str, size: int, max_bytes: int) -> ObjectTooLarge:
    return ObjectTooLarge(f"{bucket}/{key}: {size} bytes exceeds the limit of {max_bytes}")


def guess_content_type(key: str) -> str:
    """A content type from the key's extension.

    >>> guess_content_type("s/selfie.jpg"), guess_content_type("s/verdict.json")
    ('image/jpeg', 'application/json')
    """
    return mimetypes.guess_type(key)[0] or DEFAULT_CONTENT_TYPE


# --------------------------------------------------------------------------- local directory


class LocalStore:
    """Buckets as directories under ``root``: the embedded default, no server needed.

    Writes are atomic (temporary file + rename), so a reader never sees half an object. Keys
    are validated and the resolved path must stay inside the bucket directory, so neither
    ``..`` nor a symlink planted in the tree can reach outside it. Content types live in a
    ``.meta`` tree next to the buckets (bucket names cannot start with a dot).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def _bucket_dir(self, bucket: str) -> Path:
        return self.root / check_bucket(bucket)

    def _path(self, bucket: str, key: str) -> Path:
        base = self._bucket_dir(bucket)
        path = (base / check_key(key)).resolve()
        if not path.is_relative_to(base.resolve()):
            raise InvalidObjectKey("object key resolves outside its bucket")
        return path

    def _meta_path(self, bucket: str, key: str) -> Path:
        return self.root / ".meta" / check_bucket(bucket) / (check_key(key) + ".json")

    def ensure_bucket(self, bucket: str) -> None:
        """Create the bucket's directory."""
        self._bucket_dir(bucket).mkdir(parents=True, exist_ok=True)

    def stat(self, bucket: str, key: str) -> ObjectInfo | None:
        """Size and content type of a regular file, None when absent."""
        path = self._path(bucket, key)
        try:
            if not path.is_file():
                return None
            size = path.stat().st_size
        except OSError as exc:
            raise StorageError(f"{bucket}/{key}: stat failed ({exc.strerror})") from None
        return ObjectInfo(bucket, key, size, self._content_type(bucket, key))

    def _content_type(self, bucket: str, key: str) -> str:
        try:
            meta = json.loads(self._meta_path(bucket, key).read_text(encoding="utf-8"))
            return str(meta.get("content_type") or DEFAULT_CONTENT_TYPE)
        except (OSError, ValueError):
            return guess_content_type(key)

    def get(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        """Read the file, refusing it before reading when it exceeds ``max_bytes``."""
        info = self.stat(bucket, key)
        if info is None:
            raise ObjectMissing(f"{bucket}/{key}: no such object")
        if max_bytes is not None and info.size > max_bytes:
            raise _too_large(bucket, key, info.size, max_bytes)
        limit = -1 if max_bytes is None else max_bytes + 1
        try:
            with self._path(bucket, key).open("rb") as handle:
                data = handle.read(limit)
        except FileNotFoundError:
            raise ObjectMissing(f"{bucket}/{key}: no such object") from None
        except OSError as exc:
            raise StorageError(f"{bucket}/{key}: read failed ({exc.strerror})") from None
        if max_bytes is not None and len(data) > max_bytes:
            raise _too_large(bucket, key, len(data), max_bytes)
        return data

    def put(
        self, bucket: str, key: str, data: bytes, content_type: str = DEFAULT_CONTENT_TYPE
    ) -> None:
        """Write the object atomically (and its content type beside it)."""
        path = self._path(bucket, key)
        try:
            _atomic_write(path, data)
            meta = json.dumps({"content_type": content_type}).encode()
            _atomic_write(self._meta_path(bucket, key), meta)
        except OSError as exc:
            raise StorageError(f"{bucket}/{key}: write failed ({exc.strerror})") from None

    def delete(self, bucket: str, key: str) -> None:
        """Remove the file and its metadata; missing is fine."""
        for path in (self._path(bucket, key), self._meta_path(bucket, key)):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise StorageError(f"{bucket}/{key}: delete failed ({exc.strerror})") from None

    def list(self, bucket: str, prefix: str = "") -> Iterator[str]:
        """Every regular file under the bucket whose key starts with ``prefix``."""
        base = self._bucket_dir(bucket)
        check_prefix(prefix)
        if not base.is_dir():
            return iter(())
        keys = (p.relative_to(base).as_posix() for p in base.rglob("*") if _is_object(p))
        return iter(sorted(k for k in keys if k.startswith(prefix)))

    def presigned_get(self, bucket: str, key: str, expires: dt.timedelta) -> str:
        """A ``file://`` URL (a local directory has no access control to delegate)."""
        path = self._path(bucket, key)
        if not path.is_file():
            raise ObjectMissing(f"{bucket}/{key}: no such object")
        return path.as_uri()


def _is_object(path: Path) -> bool:
    return path.is_file() and not path.is_symlink() and not path.name.startswith(".tmp-")


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- S3 (minio client)

_MISSING_CODES = {"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"}


class S3Store:
    """An S3-compatible store through the ``minio`` client, with short timeouts.

    The urllib3 pool retries a connection twice (about half a second) and gives up; longer
    outages are RQ's business (the job is retried with backoff), so a worker never hangs on a
    dead endpoint.
    """

    def __init__(
        self, settings: S3Settings, connect_timeout: float = 3.0, read_timeout: float = 30.0
    ):
        import urllib3
        from minio import Minio

        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            retries=urllib3.Retry(
                total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]
            ),
            maxsize=10,
        )
        self.settings = settings
        self.client = Minio(
            settings.endpoint,
            access_key=settings.access_key,
            secret_key=settings.secret_key,
            secure=settings.secure,
            region=settings.region,
            http_client=http,
        )

    def _call(self, what: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Run one client call, mapping every failure into the storage error tree."""
        from minio.error import S3Error

        try:
            return fn(*args, **kwargs)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise ObjectMissing(f"{what}: no such object") from None
            raise StorageError(f"{what}: S3 error {exc.code}") from None
        except StorageError:
            raise
        except Exception as exc:  # urllib3 / socket / minio ServerError, InvalidResponseError
            raise StorageError(f"{what}: S3 unreachable ({type(exc).__name__})") from None

    def ensure_bucket(self, bucket: str) -> None:
        """Create the bucket unless it exists."""
        check_bucket(bucket)
        if not self._call(bucket, self.client.bucket_exists, bucket):
            from minio.error import S3Error

            try:
                self._call(bucket, self.client.make_bucket, bucket, self.settings.region)
            except StorageError as exc:
                cause = exc.__context__
                if isinstance(cause, S3Error) and cause.code in ("BucketAlreadyOwnedByYou",):
                    return
                raise

    def stat(self, bucket: str, key: str) -> ObjectInfo | None:
        """HEAD the object; None when it does not exist."""
        check_bucket(bucket), check_key(key)
        try:
            found = self._call(f"{bucket}/{key}", self.client.stat_object, bucket, key)
        except ObjectMissing:
            return None
        return ObjectInfo(
            bucket,
            key,
            int(found.size or 0),
            found.content_type or DEFAULT_CONTENT_TYPE,
            (found.etag or "").strip('"'),
        )

    def get(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        """HEAD for the size first, then stream at most ``max_bytes + 1`` bytes."""
        info = self.stat(bucket, key)
        if info is None:
            raise ObjectMissing(f"{bucket}/{key}: no such object")
        if max_bytes is not None and info.size > max_bytes:
            raise _too_large(bucket, key, info.size, max_bytes)
        what = f"{bucket}/{key}"
        response = self._call(what, self.client.get_object, bucket, key)
        try:
            data = self._call(what, _read_limited, response, max_bytes)
        finally:
            response.close()
            response.release_conn()
        if max_bytes is not None and len(data) > max_bytes:
            raise _too_large(bucket, key, len(data), max_bytes)
        return data

    def put(
        self, bucket: str, key: str, data: bytes, content_type: str = DEFAULT_CONTENT_TYPE
    ) -> None:
        """PUT the object (one request; uploads are at most tens of megabytes)."""
        import io

        check_bucket(bucket), check_key(key)
        self._call(
            f"{bucket}/{key}",
            self.client.put_object,
            bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type=content_type,
        )

    def delete(self, bucket: str, key: str) -> None:
        """DELETE the object (S3 answers success for a missing key too)."""
        check_bucket(bucket), check_key(key)
        try:
            self._call(f"{bucket}/{key}", self.client.remove_object, bucket, key)
        except ObjectMissing:
            return

    def list(self, bucket: str, prefix: str = "") -> Iterator[str]:
        """List keys under ``prefix``; the listing is read fully so errors surface here."""
        check_bucket(bucket), check_prefix(prefix)
        objects = self._call(
            bucket,
            lambda: [
                o.object_name for o in self.client.list_objects(bucket, prefix, recursive=True)
            ],
        )
        return iter(sorted(objects))

    def presigned_get(self, bucket: str, key: str, expires: dt.timedelta) -> str:
        """A signed GET URL, valid for ``expires`` (at most 7 days)."""
        check_bucket(bucket), check_key(key)
        return str(
            self._call(f"{bucket}/{key}", self.client.presigned_get_object, bucket, key, expires)
        )


def _read_limited(response, max_bytes: int | None) -> bytes:  # type: ignore[no-untyped-def]
    """Read a streamed body, stopping one byte past the limit."""
    if max_bytes is None:
        return bytes(response.read())
    chunks, total = [], 0
    for chunk in response.stream(64 * 1024):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            break
    return b"".join(chunks)


def store_from_settings(settings: Settings) -> ObjectStore:
    """The S3 store when ``LLAVE_S3_ENDPOINT`` is set, else the local directory store."""
    if settings.s3 is not None:
        return S3Store(settings.s3)
    return LocalStore(settings.local_root)
