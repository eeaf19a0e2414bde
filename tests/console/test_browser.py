"""End-to-end: Debian's Chromium driven by Playwright against the console on a loopback port.

Reviewers log in, claim, approve and reject; a second reviewer cannot decide a claimed case;
the supervisor reads the audit log. The run saves the screenshots in ``docs/screenshots/``.

The cases come from ``fixtures/cases`` through the production path (upload, pipeline, verdict
sink) when the fixture set is there, else from the drawn test cases.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from console import audit
from console.compare import compare
from console.filters import percent
from console.labels import reason_label
from models import JobPayload, Verdict
from tests.console import seed as seeding
from tests.console.conftest import PASSWORD, free_port, make_app
from workers import accounts

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


@pytest.fixture
def queued(store, r):
    """Three review cases: fixture cases through the pipeline, topped up with drawn ones."""
    seeded = seeding.seed_from_fixtures(store, r, count=3)
    if len(seeded) < 3:
        seeded += seeding.seed(store, r, 3 - len(seeded))
    return seeded


@pytest.fixture
def server(console_redis, store, queued, accounts_made):
    """The app served by werkzeug on a free loopback port, in a thread."""
    from werkzeug.serving import make_server

    app = make_app(console_redis, store)
    port = free_port()
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser():
    """Headless Chromium (no Playwright browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _page(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="es-MX")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(base + "/cola")
    assert page.url.endswith("/login"), "the queue must redirect to the login without a session"
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/cola")
    assert page.get_by_test_id("current-user").inner_text() == username
    return page


def _row(page, sid: str):  # type: ignore[no-untyped-def]
    return page.locator(f"tr[data-submission='{sid}']")


def _expected(store, case):  # type: ignore[no-untyped-def]
    verdict = Verdict.model_validate_json(case.verdict_bytes)
    raw = store.get(seeding.VERDICTS, f"{case.submission_id}/payload.json")
    rows = compare(verdict.extracted, JobPayload.model_validate_json(raw).registration)
    return verdict, sum(1 for row in rows if row.state == "mismatch")


def _check_case_page(page, verdict, mismatches: int) -> None:  # type: ignore[no-untyped-def]
    assert page.get_by_test_id("similarity").inner_text() == percent(
        verdict.extracted.face_similarity
    )
    assert page.get_by_test_id("confidence").inner_text() == percent(verdict.confidence)
    reasons = page.get_by_test_id("reasons").inner_text()
    assert all(reason_label(r) in reasons for r in verdict.reasons)
    assert page.locator(".fields tr.row-mismatch").count() == mismatches
    for img in page.locator(".docs img").all():
        assert img.evaluate("i => i.complete && i.naturalWidth > 0"), img.get_attribute("alt")


def test_reviewers_decide_cases_in_the_browser(server, browser, r, store, queued):
    first, second, third = queued
    ana = _page(browser, server, "ana")
    rows = ana.locator("[data-testid=queue-table] tbody tr")
    assert [rows.nth(i).get_attribute("data-submission") for i in range(rows.count())] == [
        c.submission_id for c in queued
    ], "oldest first"
    assert reason_label(first.reasons[0]) in _row(ana, first.submission_id).inner_text()

    # beto claims the second case first; ana sees who holds it
    beto = _page(browser, server, "beto")
    _row(beto, second.submission_id).get_by_test_id("claim").click()
    beto.wait_for_url(f"{server}/casos/{second.submission_id}")
    ana.reload()
    assert "beto" in _row(ana, second.submission_id).get_by_test_id("holder").inner_text()

    # ana claims the first case: the case page shows the evidence and the decision form
    _row(ana, first.submission_id).get_by_test_id("claim").click()
    ana.wait_for_url(f"{server}/casos/{first.submission_id}")
    ana.wait_for_load_state("networkidle")
    _check_case_page(ana, *_expected(store, first))
    ana.goto(server + "/cola")
    ana.screenshot(path=str(SHOTS / "console-queue.png"))
    ana.goto(f"{server}/casos/{first.submission_id}")
    ana.wait_for_load_state("networkidle")
    ana.screenshot(path=str(SHOTS / "console-case.png"), full_page=True)

    # ana cannot decide beto's case: no form, and a forged POST is refused
    ana.goto(f"{server}/casos/{second.submission_id}")
    assert "beto" in ana.get_by_test_id("claimed-by").inner_text()
    assert ana.locator("#decision-form").count() == 0
    csrf = ana.locator("input[name=csrf_token]").first.input_value()
    forged = ana.request.post(
        f"{server}/casos/{second.submission_id}/decision",
        form={"csrf_token": csrf, "action": "approve", "verdict_sha256": "0" * 64},
        headers={"Origin": server},
    )
    assert forged.status == 409

    # ana approves the first case
    ana.goto(f"{server}/casos/{first.submission_id}")
    ana.check("input[name=action][value=approve]")
    ana.get_by_test_id("decide").click()
    ana.wait_for_url(server + "/cola")
    assert "aprobada" in ana.get_by_test_id("flash").inner_text().lower()
    assert _row(ana, first.submission_id).count() == 0

    # beto rejects the second case: cause and note are required by the form
    beto.goto(f"{server}/casos/{second.submission_id}")
    _check_case_page(beto, *_expected(store, second))
    beto.check("input[name=action][value=reject]")
    assert beto.locator("select[name=cause]").is_visible()
    form_valid = "document.getElementById('decision-form').checkValidity()"
    assert beto.evaluate(form_valid) is False, "a reject needs a cause and a note"
    beto.select_option("select[name=cause]", "suplantacion_identidad")
    beto.fill("textarea[name=note]", "La persona de la selfie no es la de la credencial.")
    beto.get_by_test_id("decide").click()
    beto.wait_for_url(server + "/cola")
    assert "rechazada" in beto.get_by_test_id("flash").inner_text().lower()

    # account statuses and events, as the backend sees them
    assert accounts.get_account(r, first.account_id)["status"] == "verified"
    assert accounts.get_account(r, second.account_id)["status"] == "rejected"
    assert accounts.get_account(r, third.account_id)["status"] == "review"
    events = accounts.events_for(r, second.submission_id)
    assert [(e["decision"], e["source"]) for e in events] == [
        ("review", "pipeline"),
        ("rejected", "reviewer"),
    ]

    # the supervisor reads the audit log: both decisions, chain intact
    sofia = _page(browser, server, "sofia")
    sofia.click("text=Bitácora de auditoría")
    sofia.wait_for_url(re.compile(r".*/supervision/auditoria$"))
    assert "Cadena íntegra" in sofia.get_by_test_id("chain-status").inner_text()
    approve = sofia.locator(f"tr[data-action=approve][data-submission='{first.submission_id}']")
    reject = sofia.locator(f"tr[data-action=reject][data-submission='{second.submission_id}']")
    assert "ana" in approve.inner_text()
    assert (
        "Suplantación" in reject.inner_text() and "no es la de la credencial" in reject.inner_text()
    )
    sofia.screenshot(path=str(SHOTS / "console-audit.png"), full_page=True)
    entries = {(e.record["action"], e.record.get("submission_id")) for e in audit.read(r)}
    assert {("approve", first.submission_id), ("reject", second.submission_id)} <= entries

    # a reviewer has no access to the audit log
    beto.goto(server + "/supervision/auditoria")
    assert beto.get_by_test_id("error").is_visible()
