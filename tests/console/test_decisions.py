"""Claims and decisions through the app: effects on the store, accounts, streams and audit log."""

from __future__ import annotations

import hashlib
import json
import re
import time

import pytest

from console import audit, reviewqueue
from tests.console import seed as seeding
from tests.console.conftest import csrf_of, login, make_app
from workers import accounts


class Reviewer:
    """A logged-in test client with helpers for the case workflow."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        self.username = username
        assert login(self.client, username).status_code == 303
        self.csrf = csrf_of(self.client)

    def post(self, path: str, **data):  # type: ignore[no-untyped-def]
        return self.client.post(path, data={"csrf_token": self.csrf, **data})

    def claim(self, sid: str):  # type: ignore[no-untyped-def]
        return self.post(f"/casos/{sid}/tomar")

    def seen_sha(self, sid: str) -> str:
        page = self.client.get(f"/casos/{sid}").get_data(as_text=True)
        match = re.search(r'name="verdict_sha256" value="([0-9a-f]{64})"', page)
        assert match, "the decision form is shown only to the claim holder"
        return match.group(1)

    def decide(self, sid: str, sha: str | None = None, **fields):  # type: ignore[no-untyped-def]
        sha = sha or hashlib.sha256(b"").hexdigest()
        return self.post(f"/casos/{sid}/decision", verdict_sha256=sha, **fields)


def _pending(r) -> set[str]:  # type: ignore[no-untyped-def]
    return {i.submission_id for i in reviewqueue.open_cases(r)}


def test_approve_updates_everything_and_keeps_the_verdict(app, r, store, cases):
    ana = Reviewer(app, "ana")
    case = cases[0]
    assert ana.claim(case.submission_id).status_code == 303
    sha = ana.seen_sha(case.submission_id)
    assert sha == hashlib.sha256(case.verdict_bytes).hexdigest()
    response = ana.decide(case.submission_id, sha, action="approve", note="Misma persona.")
    assert response.status_code == 303

    assert accounts.get_account(r, case.account_id)["status"] == "verified"
    assert accounts.get_account(r, case.account_id)["source"] == "reviewer"
    events = accounts.events_for(r, case.submission_id)
    assert [(e["decision"], e["source"]) for e in events] == [
        ("review", "pipeline"),
        ("verified", "reviewer"),
    ]
    assert case.submission_id not in _pending(r)
    assert r.xpending("llave:review", "reviewers")["pending"] == 2
    assert store.get(seeding.VERDICTS, f"{case.submission_id}/verdict.json") == case.verdict_bytes
    record = json.loads(store.get(seeding.VERDICTS, f"{case.submission_id}/review.json"))
    assert record["action"] == "approve" and record["reviewer"] == "ana"
    assert record["verdict_sha256"] == sha and record["verdict_decision"] == "review"
    (entry,) = [e for e in audit.read(r) if e.record["action"] == "approve"]
    assert entry.record["actor"] == "ana" and entry.record["verdict_sha256"] == sha
    assert entry.record["note"] == "Misma persona."
    assert r.get(f"llave:console:claim:{case.submission_id}") is None  # claim released


def test_reject_needs_a_listed_cause_and_a_note(app, r, cases):
    ana = Reviewer(app, "ana")
    sid = cases[1].submission_id
    ana.claim(sid)
    sha = ana.seen_sha(sid)
    no_note = ana.decide(sid, sha, action="reject", cause="documentacion_apocrifa", note="  ")
    assert no_note.status_code == 400 and "nota" in no_note.get_data(as_text=True)
    bad_cause = ana.decide(sid, sha, action="reject", cause="me_cae_mal", note="x")
    assert bad_cause.status_code == 400
    assert accounts.get_account(r, cases[1].account_id)["status"] == "review"
    ok = ana.decide(
        sid, sha, action="reject", cause="documentacion_apocrifa", note="Tipografía alterada."
    )
    assert ok.status_code == 303
    assert accounts.get_account(r, cases[1].account_id)["status"] == "rejected"
    (entry,) = [e for e in audit.read(r) if e.record["action"] == "reject"]
    assert entry.record["cause"] == "documentacion_apocrifa"
    assert entry.record["note"] == "Tipografía alterada."


def test_resubmit_needs_a_message_for_the_citizen(app, r, store, cases):
    ana = Reviewer(app, "ana")
    sid = cases[2].submission_id
    ana.claim(sid)
    sha = ana.seen_sha(sid)
    assert ana.decide(sid, sha, action="resubmit", message="").status_code == 400
    message = "Sube una credencial para votar vigente y un comprobante reciente."
    assert ana.decide(sid, sha, action="resubmit", message=message).status_code == 303
    assert accounts.get_account(r, cases[2].account_id)["status"] == "resubmit"
    record = json.loads(store.get(seeding.VERDICTS, f"{sid}/review.json"))
    assert record["citizen_message"] == message


def test_unknown_action_is_refused(app, cases):
    ana = Reviewer(app, "ana")
    sid = cases[0].submission_id
    ana.claim(sid)
    assert ana.decide(sid, ana.seen_sha(sid), action="delete").status_code == 400


def test_deciding_needs_the_claim(app, r, cases):
    ana = Reviewer(app, "ana")
    sid = cases[0].submission_id
    response = ana.decide(sid, hashlib.sha256(cases[0].verdict_bytes).hexdigest(), action="approve")
    assert response.status_code == 409
    assert accounts.get_account(r, cases[0].account_id)["status"] == "review"


def test_second_reviewer_can_neither_claim_nor_decide(app, r, cases):
    ana, beto = Reviewer(app, "ana"), Reviewer(app, "beto")
    sid = cases[0].submission_id
    sha = hashlib.sha256(cases[0].verdict_bytes).hexdigest()
    ana.claim(sid)
    beto.claim(sid)  # refused: redirected to the queue with a message
    assert r.get(f"llave:console:claim:{sid}") == b"ana"
    assert "Otra persona" in beto.client.get("/cola").get_data(as_text=True)
    assert beto.decide(sid, sha, action="approve").status_code == 409
    assert beto.post(f"/casos/{sid}/liberar").status_code == 303
    assert r.get(f"llave:console:claim:{sid}") == b"ana"  # not released by beto
    page = beto.client.get(f"/casos/{sid}").get_data(as_text=True)
    assert "decision-form" not in page and "tomado por" in page
    assert accounts.get_account(r, cases[0].account_id)["status"] == "review"


def test_a_changed_verdict_must_be_reloaded(app, r, store, cases):
    ana = Reviewer(app, "ana")
    sid = cases[0].submission_id
    ana.claim(sid)
    sha = ana.seen_sha(sid)
    changed = cases[0].verdict_bytes.replace(b'"confidence": 0.55', b'"confidence": 0.56')
    store.put(seeding.VERDICTS, f"{sid}/verdict.json", changed)
    assert ana.decide(sid, sha, action="approve").status_code == 409
    assert ana.decide(sid, ana.seen_sha(sid), action="approve").status_code == 303


def test_a_decided_case_cannot_be_decided_again(app, r, cases):
    ana, beto = Reviewer(app, "ana"), Reviewer(app, "beto")
    sid = cases[0].submission_id
    ana.claim(sid)
    ana.decide(sid, ana.seen_sha(sid), action="approve")
    assert beto.claim(sid).status_code == 404  # no longer in the queue
    r.set(f"llave:console:claim:{sid}", "beto")  # even with a forged claim
    sha = hashlib.sha256(cases[0].verdict_bytes).hexdigest()
    assert (
        beto.decide(sid, sha, action="reject", cause="documentacion_apocrifa", note="x").status_code
        == 409
    )
    assert accounts.get_account(r, cases[0].account_id)["status"] == "verified"
    assert "Aprobada" in beto.client.get(f"/casos/{sid}").get_data(as_text=True)


def test_release_returns_the_case_to_the_queue(app, r, cases):
    ana, beto = Reviewer(app, "ana"), Reviewer(app, "beto")
    sid = cases[0].submission_id
    ana.claim(sid)
    ana.post(f"/casos/{sid}/liberar")
    assert beto.claim(sid).status_code == 303
    assert r.get(f"llave:console:claim:{sid}") == b"beto"


def test_claims_expire(r, console_redis, store, cases, accounts_made):
    app = make_app(console_redis, store, claim_ttl_s=1)
    ana, beto = Reviewer(app, "ana"), Reviewer(app, "beto")
    sid = cases[0].submission_id
    ana.claim(sid)
    time.sleep(1.1)
    beto.claim(sid)
    assert r.get(f"llave:console:claim:{sid}") == b"beto"


def test_supervisor_reassigns_and_releases(app, r, cases):
    ana, beto, sofia = Reviewer(app, "ana"), Reviewer(app, "beto"), Reviewer(app, "sofia")
    sid = cases[0].submission_id
    ana.claim(sid)
    assert "Supervisar" in sofia.client.get("/cola").get_data(as_text=True)
    assert sofia.post(f"/supervision/casos/{sid}/reasignar", username="nadie").status_code == 400
    assert sofia.post(f"/supervision/casos/{sid}/reasignar", username="beto").status_code == 303
    sha = hashlib.sha256(cases[0].verdict_bytes).hexdigest()
    assert ana.decide(sid, sha, action="approve").status_code == 409
    sofia.post(f"/supervision/casos/{cases[1].submission_id}/reasignar", username="ana")
    sofia.post(f"/supervision/casos/{cases[1].submission_id}/liberar")
    assert r.get(f"llave:console:claim:{cases[1].submission_id}") is None
    assert beto.decide(sid, sha, action="approve").status_code == 303
    actions = [(e.record["action"], e.record["actor"]) for e in audit.read(r, newest_first=False)]
    assert ("reassign", "sofia") in actions and ("release", "sofia") in actions
    reassign = next(
        e
        for e in audit.read(r)
        if e.record["action"] == "reassign" and e.record["submission_id"] == sid
    )
    assert reassign.record["previous_holder"] == "ana" and reassign.record["new_holder"] == "beto"


def test_case_page_shows_evidence_and_highlights_disagreements(app, cases):
    ana = Reviewer(app, "ana")
    page = ana.client.get(f"/casos/{cases[1].submission_id}").get_data(as_text=True)
    assert page.count('class="row-mismatch"') == 2  # CURP and name
    assert "CURP distinta a la registrada" in page
    assert "La CURP de tu identificación no coincide" in page  # the citizen explanation
    assert "curp_match" in page and "mrz_consistency" in page
    assert "HERJ850912HDFRZR02" in page and "GALX900307MDFRPN01" in page  # registered vs read


@pytest.mark.parametrize("role", ["id_front", "id_back", "address_proof", "selfie"])
def test_documents_are_served_as_reencoded_jpeg(app, cases, role):
    ana = Reviewer(app, "ana")
    response = ana.client.get(f"/casos/{cases[0].submission_id}/documentos/{role}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.data[:3] == b"\xff\xd8\xff"


def test_unusable_or_missing_documents_give_404(app, store, cases):
    ana = Reviewer(app, "ana")
    sid = cases[0].submission_id
    store.put(seeding.UPLOADS, f"{sid}/selfie.jpg", b"<html><script>alert(1)</script>")
    assert ana.client.get(f"/casos/{sid}/documentos/selfie").status_code == 404
    assert ana.client.get(f"/casos/{sid}/documentos/passport").status_code == 404
    assert ana.client.get("/casos/no-such-case").status_code == 404
    assert ana.client.get("/casos/..%2F..%2Fetc/documentos/selfie").status_code == 404


def test_entries_purged_from_the_stream_leave_the_queue(app, r, cases):
    (entry,) = [e for e in r.xrange("llave:review") if e[1][b"submission_id"] == b"sub-test-002"]
    reviewqueue.open_cases(r)  # delivered to the group
    r.xdel("llave:review", entry[0])
    assert _pending(r) == {"sub-test-001", "sub-test-003"}
    assert r.xpending("llave:review", "reviewers")["pending"] == 2


def test_photos_are_served_upright(app, store, cases):
    import io

    from PIL import Image

    sideways = Image.new("RGB", (300, 200), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    data = io.BytesIO()
    sideways.save(data, "JPEG", exif=exif.tobytes())
    store.put(seeding.UPLOADS, "sub-test-001/selfie.jpg", data.getvalue())
    ana = Reviewer(app, "ana")
    served = ana.client.get("/casos/sub-test-001/documentos/selfie").data
    assert Image.open(io.BytesIO(served)).size == (200, 300)


def test_a_newer_submission_keeps_the_account_status(app, r, cases):
    import datetime as dt

    newer = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    accounts.apply_decision(
        r,
        account_id=cases[0].account_id,
        submission_id="sub-newer",
        decision="verified",
        source="pipeline",
        submitted_at=newer,
    )
    ana = Reviewer(app, "ana")
    sid = cases[0].submission_id
    ana.claim(sid)
    ana.decide(sid, ana.seen_sha(sid), action="reject", cause="informacion_no_veraz", note="x")
    assert accounts.get_account(r, cases[0].account_id)["status"] == "verified"
    assert "más reciente" in ana.client.get("/cola").get_data(as_text=True)
    assert sid not in _pending(r)
