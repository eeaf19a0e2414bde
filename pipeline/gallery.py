"""The gallery of verified accounts' face templates, for the duplicate-identity search (1:N).

One template per account (the selfie encoding of its verified submission): ``add`` replaces an
account's template, ``remove_account`` drops it (cancellation, purge).

``search`` is exact and vectorised: squared distances as ``|x|^2 - 2 x.q + |q|^2``, one float32
matrix-vector product per chunk of rows. Templates are stored rotated onto their principal axes
(an orthogonal change of basis, so distances are unchanged; recomputed by :meth:`reindex` after
bulk loads). A search within a radius (the duplicate check's case) first scans only the 32
leading axes, whose partial distance is a lower bound of the full one, and computes full
distances for the few rows that can still be within the radius: a quarter of the memory traffic,
so 1,000,000 templates are searched in a few tens of milliseconds on one core.

Templates are biometric data: the file on disk is encrypted at rest with Fernet (AES-128-CBC +
HMAC-SHA256, from ``cryptography``), the key from ``$LLAVE_GALLERY_KEY`` (a urlsafe-base64
32-byte key, ``Fernet.generate_key()``). Saving or loading without encryption is refused unless
``allow_plaintext=True`` (tests only).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

DIMENSIONS = 128
HEAD = 32  # leading principal axes scanned first by a radius search
CHUNK_ROWS = 131_072
REINDEX_MIN_ROWS = 256
KEY_ENV = "LLAVE_GALLERY_KEY"
_MAGIC_ENCRYPTED = b"LLAVE-GALLERY-1-FERNET\n"
_MAGIC_PLAIN = b"LLAVE-GALLERY-1-PLAIN\n"


class GalleryError(ValueError):
    """The gallery file is unreadable, tampered with, or the key is missing or wrong."""


@dataclass(frozen=True)
class GalleryHit:
    """One verified account near the query face."""

    account_id: str
    curp: str
    submission_id: str
    distance: float


class Gallery:
    """Verified accounts' 128-d templates (float32), searchable by distance."""

    def __init__(self) -> None:
        self._vectors = np.empty((1024, DIMENSIONS), dtype=np.float32)  # rotated by _basis
        self._sq_norms = np.empty(1024, dtype=np.float32)
        self._head = np.empty((1024, HEAD), dtype=np.float32)  # contiguous leading columns
        self._head_sq = np.empty(1024, dtype=np.float32)
        self._basis = np.eye(DIMENSIONS, dtype=np.float32)
        self._count = 0
        self._accounts: list[str] = []
        self._curps: list[str] = []
        self._submissions: list[str] = []
        self._row_of: dict[str, int] = {}

    def __len__(self) -> int:
        return self._count

    def __contains__(self, account_id: object) -> bool:
        return account_id in self._row_of

    def add(self, account_id: str, curp: str, submission_id: str, encoding: object) -> None:
        """Store (or replace) an account's template."""
        vector = _as_template(encoding) @ self._basis
        row = self._row_of.get(account_id)
        if row is None:
            row = self._append_row()
            self._row_of[account_id] = row
            self._accounts.append(account_id)
            self._curps.append(curp)
            self._submissions.append(submission_id)
        else:
            self._curps[row], self._submissions[row] = curp, submission_id
        self._set_row(row, vector)

    def _set_row(self, row: int, vector: np.ndarray) -> None:
        self._vectors[row] = vector
        self._sq_norms[row] = float(vector @ vector)
        self._head[row] = vector[:HEAD]
        self._head_sq[row] = float(vector[:HEAD] @ vector[:HEAD])

    def add_many(
        self, account_ids: list[str], curps: list[str], submission_ids: list[str], encodings: object
    ) -> None:
        """Bulk-load templates (one row of ``encodings`` per account)."""
        matrix = np.asarray(encodings, dtype=np.float32).reshape(-1, DIMENSIONS)
        if not len(account_ids) == len(curps) == len(submission_ids) == len(matrix):
            raise ValueError("add_many needs one id, CURP, submission and row per template")
        self._reserve(self._count + len(matrix))
        fresh = len(set(account_ids)) == len(account_ids) and not any(
            account in self._row_of for account in account_ids
        )
        if not fresh:
            for index, account in enumerate(account_ids):
                self.add(account, curps[index], submission_ids[index], matrix[index])
            return
        if not np.all(np.isfinite(matrix)):
            raise ValueError("a face template is 128 finite numbers")
        start, stop = self._count, self._count + len(matrix)
        self._vectors[start:stop] = matrix @ self._basis
        self._row_of.update({account: start + i for i, account in enumerate(account_ids)})
        self._accounts.extend(account_ids)
        self._curps.extend(curps)
        self._submissions.extend(submission_ids)
        self._count = stop
        self.reindex()

    def reindex(self) -> None:
        """Rotate the stored templates onto their principal axes (distances are unchanged)."""
        rows = self._vectors[: self._count]
        if self._count >= REINDEX_MIN_ROWS:
            centred_cov = np.cov(rows[:: max(1, self._count // 200_000)].T.astype(np.float64))
            _, axes = np.linalg.eigh(centred_cov)
            rotation = np.ascontiguousarray(axes[:, ::-1]).astype(np.float32)
            for start in range(0, self._count, CHUNK_ROWS):
                stop = min(start + CHUNK_ROWS, self._count)
                rows[start:stop] = rows[start:stop] @ rotation
            self._basis = self._basis @ rotation
        self._sq_norms[: self._count] = np.einsum("ij,ij->i", rows, rows)
        self._head[: self._count] = rows[:, :HEAD]
        head = self._head[: self._count]
        self._head_sq[: self._count] = np.einsum("ij,ij->i", head, head)

    def remove_account(self, account_id: str) -> bool:
        """Drop an account's template (the last row moves into its place). True if it was there."""
        row = self._row_of.pop(account_id, None)
        if row is None:
            return False
        last = self._count - 1
        if row != last:
            for array in (self._vectors, self._sq_norms, self._head, self._head_sq):
                array[row] = array[last]
            for column in (self._accounts, self._curps, self._submissions):
                column[row] = column[last]
            self._row_of[self._accounts[row]] = row
        for column in (self._accounts, self._curps, self._submissions):
            column.pop()
        self._count = last
        return True

    def search(self, encoding: object, k: int = 5, radius: float | None = None) -> list[GalleryHit]:
        """The ``k`` nearest templates to ``encoding``, nearest first (exact search).

        With ``radius``, only templates within that distance (fast: see the module docstring).
        """
        if self._count == 0 or k <= 0:
            return []
        query = _as_template(encoding) @ self._basis
        if radius is None:
            rows, squared = self._nearest(query, min(k, self._count))
        else:
            rows, squared = self._within(query, k, radius)
        return [
            GalleryHit(
                self._accounts[row],
                self._curps[row],
                self._submissions[row],
                float(np.sqrt(max(dist, 0.0))),
            )
            for row, dist in zip(rows, squared, strict=True)
        ]

    def _nearest(self, query: np.ndarray, k: int) -> tuple[list[int], list[float]]:
        q_norm = float(query @ query)
        best_rows: list[np.ndarray] = []
        best_d: list[np.ndarray] = []
        for start in range(0, self._count, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, self._count)
            d2 = self._sq_norms[start:stop] - 2.0 * (self._vectors[start:stop] @ query) + q_norm
            take = min(k, stop - start)
            part = np.argpartition(d2, take - 1)[:take]
            best_rows.append(part + start)
            best_d.append(d2[part])
        rows = np.concatenate(best_rows)
        dists = np.concatenate(best_d)
        order = np.argsort(dists, kind="stable")[:k]
        return [int(r) for r in rows[order]], [float(d) for d in dists[order]]

    def _within(self, query: np.ndarray, k: int, radius: float) -> tuple[list[int], list[float]]:
        limit = radius * radius
        q_head = query[:HEAD]
        q_head_sq = float(q_head @ q_head)
        found: list[np.ndarray] = []
        for start in range(0, self._count, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, self._count)
            partial = self._head_sq[start:stop] - 2.0 * (self._head[start:stop] @ q_head)
            # partial + |q_head|^2 <= full squared distance; the margin absorbs float32 rounding
            found.append(np.flatnonzero(partial <= limit - q_head_sq + 1e-4) + start)
        candidates = np.concatenate(found)
        if len(candidates) == 0:
            return [], []
        gaps = self._vectors[candidates] - query
        squared = np.einsum("ij,ij->i", gaps, gaps)
        keep = squared <= limit
        candidates, squared = candidates[keep], squared[keep]
        order = np.argsort(squared, kind="stable")[:k]
        return [int(r) for r in candidates[order]], [float(d) for d in squared[order]]

    def _append_row(self) -> int:
        self._reserve(self._count + 1)
        self._count += 1
        return self._count - 1

    def _reserve(self, rows: int) -> None:
        if rows <= len(self._vectors):
            return
        capacity = max(rows, 2 * len(self._vectors))
        grown = []
        for array in (self._vectors, self._sq_norms, self._head, self._head_sq):
            bigger = np.empty((capacity, *array.shape[1:]), dtype=np.float32)
            bigger[: self._count] = array[: self._count]
            grown.append(bigger)
        self._vectors, self._sq_norms, self._head, self._head_sq = grown

    # ----------------------------------------------------------------- persistence

    def to_bytes(self, key: bytes | None = None, allow_plaintext: bool = False) -> bytes:
        """Serialise, encrypted with ``key`` (or ``$LLAVE_GALLERY_KEY``)."""
        buffer = io.BytesIO()
        np.savez(
            buffer,
            vectors=self._vectors[: self._count] @ self._basis.T,
            accounts=np.array(self._accounts, dtype=str),
            curps=np.array(self._curps, dtype=str),
            submissions=np.array(self._submissions, dtype=str),
        )
        key = key or _env_key()
        if key is None:
            if not allow_plaintext:
                raise GalleryError(f"refusing to write the gallery unencrypted: set {KEY_ENV}")
            return _MAGIC_PLAIN + buffer.getvalue()
        return _MAGIC_ENCRYPTED + _fernet(key).encrypt(buffer.getvalue())

    @classmethod
    def from_bytes(
        cls, data: bytes, key: bytes | None = None, allow_plaintext: bool = False
    ) -> Gallery:
        """Inverse of :meth:`to_bytes`."""
        if data.startswith(_MAGIC_ENCRYPTED):
            payload = _decrypt(data[len(_MAGIC_ENCRYPTED) :], key or _env_key())
        elif data.startswith(_MAGIC_PLAIN) and allow_plaintext:
            payload = data[len(_MAGIC_PLAIN) :]
        else:
            raise GalleryError("not an encrypted llave gallery file")
        return cls._from_npz(payload)

    def save(
        self, path: str | Path, key: bytes | None = None, allow_plaintext: bool = False
    ) -> None:
        """Write the gallery atomically (temporary file + rename), encrypted."""
        target = Path(path)
        data = self.to_bytes(key, allow_plaintext)
        temporary = target.with_name(target.name + ".tmp")
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)

    @classmethod
    def load(
        cls, path: str | Path, key: bytes | None = None, allow_plaintext: bool = False
    ) -> Gallery:
        """Read a gallery file written by :meth:`save`."""
        return cls.from_bytes(Path(path).read_bytes(), key, allow_plaintext)

    @classmethod
    def _from_npz(cls, payload: bytes) -> Gallery:
        try:
            with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
                vectors = np.asarray(arrays["vectors"], dtype=np.float32)
                accounts = [str(v) for v in arrays["accounts"]]
                curps = [str(v) for v in arrays["curps"]]
                submissions = [str(v) for v in arrays["submissions"]]
        except (OSError, ValueError, KeyError) as exc:
            raise GalleryError("the gallery file is corrupt") from exc
        gallery = cls()
        gallery.add_many(accounts, curps, submissions, vectors)
        return gallery


def _as_template(encoding: object) -> np.ndarray:
    vector = np.asarray(encoding, dtype=np.float32).reshape(-1)
    if vector.shape != (DIMENSIONS,) or not np.all(np.isfinite(vector)):
        raise ValueError("a face template is 128 finite numbers")
    return vector


def _env_key() -> bytes | None:
    value = os.environ.get(KEY_ENV, "").strip()
    return value.encode("ascii") if value else None


def _fernet(key: bytes) -> Fernet:
    from cryptography.fernet import Fernet

    try:
        return Fernet(key)
    except (ValueError, TypeError) as exc:
        raise GalleryError(f"{KEY_ENV} is not a valid Fernet key") from exc


def _decrypt(token: bytes, key: bytes | None) -> bytes:
    from cryptography.fernet import InvalidToken

    if key is None:
        raise GalleryError(f"the gallery is encrypted: set {KEY_ENV}")
    try:
        return _fernet(key).decrypt(token)
    except InvalidToken as exc:
        raise GalleryError("wrong gallery key or tampered gallery file") from exc
