"""The verified-accounts gallery (1:N search, removal, encrypted persistence) and duplicate_check."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from cryptography.fernet import Fernet

from models.case import Case
from models.codes import ReasonCode
from models.faces import FaceReading, ImageFaces
from pipeline.duplicates import duplicate_check
from pipeline.gallery import KEY_ENV, Gallery, GalleryError
from pipeline.policy import parse_policy

POLICY = parse_policy(
    'version = "t"\n[duplicates]\nmatch_max_distance = 0.45\ntop_k = 3\n'
    "[faces]\nmatch_max_distance = 0.5\nmismatch_min_distance = 0.6\n"
)


def _templates(count: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.09, (count, 128)).astype(np.float32)


def _gallery(count: int = 50) -> tuple[Gallery, np.ndarray]:
    gallery = Gallery()
    vectors = _templates(count)
    for i, vector in enumerate(vectors):
        gallery.add(f"acct-{i}", f"CURP{i:014d}", f"sub-{i}", vector)
    return gallery, vectors


def test_search_finds_the_nearest_exactly():
    gallery, vectors = _gallery(3000)
    probe = vectors[1234] + 0.01
    hits = gallery.search(probe, k=3)
    brute = np.sqrt(((vectors - probe) ** 2).sum(1))
    assert [h.account_id for h in hits] == [f"acct-{i}" for i in np.argsort(brute)[:3]]
    assert hits[0].distance == pytest.approx(float(brute.min()), abs=1e-4)


def test_chunked_search_matches_brute_force(monkeypatch):
    monkeypatch.setattr("pipeline.gallery.CHUNK_ROWS", 7)
    gallery, vectors = _gallery(100)
    probe = _templates(1, seed=9)[0]
    brute = np.argsort(np.sqrt(((vectors - probe) ** 2).sum(1)))[:5]
    assert [h.account_id for h in gallery.search(probe, k=5)] == [f"acct-{i}" for i in brute]


def test_radius_search_equals_brute_force_after_reindex():
    gallery, vectors = _gallery(2000)  # added one by one: identity basis
    probes = vectors[:40] + np.random.default_rng(3).normal(0, 0.03, (40, 128)).astype(np.float32)
    before = [gallery.search(p, k=4, radius=0.6) for p in probes]
    gallery.reindex()  # rotate onto principal axes: same answers
    for probe, hits in zip(probes, before, strict=True):
        brute = np.sqrt(((vectors - probe) ** 2).sum(1))
        expected = [f"acct-{i}" for i in np.argsort(brute)[:4] if brute[i] <= 0.6]
        after = gallery.search(probe, k=4, radius=0.6)
        assert [h.account_id for h in after] == [h.account_id for h in hits] == expected
        assert [h.distance for h in after] == pytest.approx(
            [float(brute[i]) for i in np.argsort(brute)[: len(expected)]], abs=1e-4
        )


def test_bulk_load_keeps_templates_exact(tmp_path):
    vectors = _templates(600, seed=5)
    names = [f"a{i}" for i in range(600)]
    gallery = Gallery()
    gallery.add_many(names, names, names, vectors)
    copy = Gallery.from_bytes(gallery.to_bytes(allow_plaintext=True), allow_plaintext=True)
    for g in (gallery, copy):
        hit = g.search(vectors[17], k=1)[0]
        assert hit.account_id == "a17" and hit.distance == pytest.approx(0.0, abs=1e-3)


def test_add_replaces_and_remove_drops_an_account():
    gallery, vectors = _gallery(10)
    gallery.add("acct-3", "NEWCURP", "sub-new", vectors[7])
    assert len(gallery) == 10
    assert {h.account_id for h in gallery.search(vectors[7], k=2)} == {"acct-3", "acct-7"}
    assert gallery.remove_account("acct-7") and not gallery.remove_account("acct-7")
    assert "acct-7" not in gallery and len(gallery) == 9
    hits = gallery.search(vectors[9], k=1)  # the last row moved into the hole
    assert hits[0].account_id == "acct-9" and hits[0].distance == pytest.approx(0.0, abs=1e-4)
    for i in range(10):
        gallery.remove_account(f"acct-{i}")
    assert len(gallery) == 0 and gallery.search(vectors[0]) == []


def test_rejects_bad_templates():
    with pytest.raises(ValueError):
        Gallery().add("a", "c", "s", [0.0] * 127)
    with pytest.raises(ValueError):
        Gallery().add("a", "c", "s", [float("nan")] * 128)


def test_persistence_is_encrypted(tmp_path, monkeypatch):
    gallery, vectors = _gallery(20)
    key = Fernet.generate_key()
    path = tmp_path / "gallery.bin"
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(GalleryError):
        gallery.save(path)  # no key: refuse to write templates in clear
    monkeypatch.setenv(KEY_ENV, key.decode())
    gallery.save(path)
    raw = path.read_bytes()
    assert b"CURP" not in raw and vectors[0].tobytes()[:16] not in raw
    loaded = Gallery.load(path)
    assert len(loaded) == 20
    assert loaded.search(vectors[5], k=1)[0].curp == "CURP00000000000005"
    with pytest.raises(GalleryError):
        Gallery.load(path, key=Fernet.generate_key())
    tampered = tmp_path / "tampered.bin"
    tampered.write_bytes(raw[:-5] + b"AAAAA")
    with pytest.raises(GalleryError):
        Gallery.load(tampered)
    with pytest.raises(GalleryError):
        Gallery.from_bytes(b"junk", key=key)


def test_plaintext_only_when_allowed(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    gallery, _ = _gallery(3)
    data = gallery.to_bytes(allow_plaintext=True)
    with pytest.raises(GalleryError):
        Gallery.from_bytes(data)
    assert len(Gallery.from_bytes(data, allow_plaintext=True)) == 3


def _case(account: str = "acct-new", curp: str = "ABCD800101HDFRRN09") -> Case:
    return Case.model_validate(
        {
            "submission_id": "sub-x",
            "account_id": account,
            "submitted_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC).isoformat(),
            "registration": {
                "nombre": "A",
                "primer_apellido": "B",
                "curp": curp,
                "fecha_nacimiento": "1980-01-01",
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
                "id_front": "a.jpg",
                "address_proof": "b.pdf",
                "selfie": "c.jpg",
            },
        }
    )


def _reading(encoding) -> FaceReading:
    selfie = ImageFaces(status="ok", encoding=[float(v) for v in encoding])
    return FaceReading(id_portrait=ImageFaces(status="ok"), selfie=selfie)


def test_duplicate_identity_needs_a_different_curp():
    gallery, vectors = _gallery(30)
    probe = vectors[4] + 0.005
    check = duplicate_check(_reading(probe), _case(), gallery, POLICY)
    assert check.status == "fail" and check.reasons == [ReasonCode.DUPLICATE_IDENTITY]
    assert check.evidence["within_distance"][0]["account_id"] == "acct-4"
    assert "CURP" not in str(check.evidence)
    same_person = duplicate_check(
        _reading(probe), _case(curp="CURP00000000000004"), gallery, POLICY
    )
    assert same_person.status == "pass" and not same_person.reasons
    own = duplicate_check(_reading(probe), _case(account="acct-4"), gallery, POLICY)
    assert own.status == "pass"
    far = duplicate_check(_reading(_templates(1, seed=77)[0]), _case(), gallery, POLICY)
    assert far.status == "pass"


def test_duplicate_check_without_gallery_or_face():
    assert duplicate_check(_reading(np.zeros(128)), _case(), None, POLICY).evidence == {
        "searched": False
    }
    gallery, _ = _gallery(3)
    no_face = FaceReading(id_portrait=ImageFaces(status="ok"), selfie=ImageFaces(status="no_face"))
    check = duplicate_check(no_face, _case(), gallery, POLICY)
    assert check.status == "inconclusive" and not check.reasons
