"""A reviewer's approval enrolls the case's parked selfie template in the shared gallery."""

from __future__ import annotations

import numpy as np
import pytest
from cryptography.fernet import Fernet

from tests.console import seed as seeding
from tests.console.test_decisions import Reviewer
from workers import gallery_store


@pytest.fixture
def gallery_key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    key = Fernet.generate_key()
    monkeypatch.setenv("LLAVE_GALLERY_KEY", key.decode())
    return key


def _park(store, sid: str, key: bytes) -> np.ndarray:  # type: ignore[no-untyped-def]
    template = np.random.default_rng(7).normal(size=128).astype(np.float32) / 12
    gallery_store.park_template(store, seeding.VERDICTS, sid, template, key)
    return template


def test_approval_enrolls_the_parked_template(app, r, store, cases, gallery_key) -> None:  # type: ignore[no-untyped-def]
    case = cases[0]
    template = _park(store, case.submission_id, gallery_key)
    ana = Reviewer(app, "ana")
    ana.claim(case.submission_id)
    sha = ana.seen_sha(case.submission_id)
    assert ana.decide(case.submission_id, sha, action="approve").status_code == 303
    gallery = gallery_store.load_gallery(r, gallery_key)
    (hit,) = gallery.search(template, k=1)
    assert (hit.account_id, hit.submission_id) == (case.account_id, case.submission_id)


def test_rejection_enrolls_nothing(app, r, store, cases, gallery_key) -> None:  # type: ignore[no-untyped-def]
    case = cases[1]
    _park(store, case.submission_id, gallery_key)
    ana = Reviewer(app, "ana")
    ana.claim(case.submission_id)
    sha = ana.seen_sha(case.submission_id)
    response = ana.decide(
        case.submission_id, sha, action="reject", cause=_a_cause(), note="Documento apócrifo."
    )
    assert response.status_code == 303
    assert r.hlen(gallery_store.TEMPLATES) == 0


def _a_cause() -> str:
    from console.labels import REJECT_CAUSES

    return sorted(REJECT_CAUSES)[0]
