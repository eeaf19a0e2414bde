"""End-to-end: Debian's Chromium driven by Playwright against the console on a loopback port.

Reviewers log in, claim, approve and reject; a second reviewer cannot decide a claimed case;
the supervisor reads the audit log. The run saves the screenshots in ``docs/screenshots/``.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from console import audit
from tests.console.conftest import PASSWORD, free_port
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
def server(app):
    """The app served by werkzeug on a free loopback port, in a thread."""
    from werkzeug.serving import make_server

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


def test_reviewers_decide_cases_in_the_browser(server, browser, r, cases):
    ana = _page(browser, server, "ana")
    rows = ana.locator("[data-testid=queue-table] tbody tr")
    assert rows.count() == 3
    # oldest first
    assert [rows.nth(i).get_attribute("data-submission") for i in range(3)] == [
        "sub-test-001",
        "sub-test-002",
        "sub-test-003",
    ]
    assert "El rostro no coincide" in _row(ana, "sub-test-001").inner_text()

    # beto claims case 2 first; ana sees who holds it
    beto = _page(browser, server, "beto")
    _row(beto, "sub-test-002").get_by_test_id("claim").click()
    beto.wait_for_url(server + "/casos/sub-test-002")
    ana.reload()
    assert "beto" in _row(ana, "sub-test-002").get_by_test_id("holder").inner_text()

    # ana claims case 1: the case page shows the evidence and the decision form
    _row(ana, "sub-test-001").get_by_test_id("claim").click()
    ana.wait_for_url(server + "/casos/sub-test-001")
    assert ana.get_by_test_id("similarity").inner_text() == "18 %"
    assert "rostro" in ana.get_by_test_id("reasons").inner_text().lower()
    for img in ana.locator(".docs img, .faces img").all():
        assert img.evaluate("i => i.complete && i.naturalWidth > 0"), img.get_attribute("alt")
    ana.goto(server + "/cola")
    ana.screenshot(path=str(SHOTS / "console-queue.png"))
    ana.goto(server + "/casos/sub-test-001")
    ana.wait_for_load_state("networkidle")
    ana.screenshot(path=str(SHOTS / "console-case.png"), full_page=True)

    # ana cannot decide beto's case: no form, and a forged POST is refused
    ana.goto(server + "/casos/sub-test-002")
    assert "beto" in ana.get_by_test_id("claimed-by").inner_text()
    assert ana.locator("#decision-form").count() == 0
    csrf = ana.locator("input[name=csrf_token]").first.input_value()
    forged = ana.request.post(
        server + "/casos/sub-test-002/decision",
        form={"csrf_token": csrf, "action": "approve", "verdict_sha256": "0" * 64},
        headers={"Origin": server},
    )
    assert forged.status == 409

    # ana approves case 1
    ana.goto(server + "/casos/sub-test-001")
    ana.check("input[name=action][value=approve]")
    ana.get_by_test_id("decide").click()
    ana.wait_for_url(server + "/cola")
    assert "aprobada" in ana.get_by_test_id("flash").inner_text().lower()
    assert _row(ana, "sub-test-001").count() == 0

    # beto rejects case 2: cause and note are required by the form
    beto.goto(server + "/casos/sub-test-002")
    assert beto.get_by_test_id("similarity").inner_text() == "93 %"
    assert beto.locator(".fields tr.row-mismatch").count() == 2  # CURP and name
    beto.check("input[name=action][value=reject]")
    assert beto.locator("select[name=cause]").is_visible()
    form_valid = "document.getElementById('decision-form').checkValidity()"
    assert beto.evaluate(form_valid) is False, "a reject needs a cause and a note"
    beto.select_option("select[name=cause]", "suplantacion_identidad")
    beto.fill("textarea[name=note]", "La CURP y el nombre del INE no corresponden al registro.")
    beto.get_by_test_id("decide").click()
    beto.wait_for_url(server + "/cola")
    assert "rechazada" in beto.get_by_test_id("flash").inner_text().lower()

    # account statuses and events, as the backend sees them
    assert accounts.get_account(r, "acct-001")["status"] == "verified"
    assert accounts.get_account(r, "acct-002")["status"] == "rejected"
    assert accounts.get_account(r, "acct-003")["status"] == "review"
    sources = {e["decision"]: e["source"] for e in accounts.events_for(r, "sub-test-002")}
    assert sources["rejected"] == "reviewer"

    # the supervisor reads the audit log: both decisions, chain intact
    sofia = _page(browser, server, "sofia")
    sofia.click("text=Bitácora de auditoría")
    sofia.wait_for_url(re.compile(r".*/supervision/auditoria$"))
    assert "Cadena íntegra" in sofia.get_by_test_id("chain-status").inner_text()
    approve = sofia.locator("tr[data-action=approve][data-submission=sub-test-001]")
    reject = sofia.locator("tr[data-action=reject][data-submission=sub-test-002]")
    assert "ana" in approve.inner_text()
    assert "Suplantación" in reject.inner_text() and "no corresponden" in reject.inner_text()
    sofia.screenshot(path=str(SHOTS / "console-audit.png"), full_page=True)
    entries = {(e.record["action"], e.record.get("submission_id")) for e in audit.read(r)}
    assert {("approve", "sub-test-001"), ("reject", "sub-test-002")} <= entries

    # a reviewer has no access to the audit log
    beto.goto(server + "/supervision/auditoria")
    assert beto.get_by_test_id("error").is_visible()
