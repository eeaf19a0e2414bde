"""Access control: sessions, CSRF, login rate limits, roles, headers, privacy of URLs and logs."""

from __future__ import annotations

import logging
import time

import pytest

from console import users
from tests.console import seed as seeding
from tests.console.conftest import PASSWORD, csrf_of, login, make_app

PROTECTED_GETS = [
    "/cola",
    "/casos/sub-test-001",
    "/casos/sub-test-001/documentos/selfie",
    "/casos/sub-test-001/rostros/face_id",
    "/supervision/auditoria",
]
PROTECTED_POSTS = [
    "/casos/sub-test-001/tomar",
    "/casos/sub-test-001/liberar",
    "/casos/sub-test-001/decision",
    "/supervision/casos/sub-test-001/liberar",
    "/supervision/casos/sub-test-001/reasignar",
    "/logout",
]


@pytest.mark.parametrize("path", PROTECTED_GETS)
def test_pages_without_session_redirect_to_login(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")


@pytest.mark.parametrize("path", PROTECTED_POSTS)
def test_actions_without_session_are_refused(app, r, path):
    response = app.test_client().post(path, data={"action": "approve", "csrf_token": "x"})
    assert response.status_code == 401
    assert r.xlen("llave:audit") == 0


@pytest.mark.parametrize("path", PROTECTED_POSTS)
def test_actions_without_csrf_token_are_refused(app, r, path):
    client = app.test_client()
    login(client, "sofia")
    assert client.post(path, data={"action": "approve"}).status_code == 403
    assert client.post(path, data={"csrf_token": "forged"}).status_code == 403
    assert r.get("llave:console:claim:sub-test-001") is None


def test_another_sessions_csrf_token_is_refused(app, r):
    ana, beto = app.test_client(), app.test_client()
    login(ana, "ana")
    login(beto, "beto")
    response = ana.post("/casos/sub-test-001/tomar", data={"csrf_token": csrf_of(beto)})
    assert response.status_code == 403
    response = ana.post("/casos/sub-test-001/tomar", data={"csrf_token": csrf_of(ana)})
    assert response.status_code == 303


def test_cross_origin_post_is_refused_even_with_token(app):
    client = app.test_client()
    login(client, "ana")
    response = client.post(
        "/casos/sub-test-001/tomar",
        data={"csrf_token": csrf_of(client)},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_login_needs_its_csrf_cookie(app):
    client = app.test_client()
    response = client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 403
    client.get("/login")
    response = client.post(
        "/login", data={"username": "ana", "password": PASSWORD, "csrf_token": "guess"}
    )
    assert response.status_code == 403


def test_login_logout_and_cookie_flags(app):
    client = app.test_client()
    response = login(client, "ana")
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/cola").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert client.get("/cola").status_code == 302


def test_wrong_password_and_unknown_user_look_the_same(app):
    bad_password = login(app.test_client(), "ana", "contraseña-equivocada")
    unknown = login(app.test_client(), "nadie", "contraseña-equivocada")
    assert bad_password.status_code == unknown.status_code == 401
    assert "incorrectos" in bad_password.get_data(as_text=True)


def test_login_is_rate_limited_per_username(app):
    client = app.test_client()
    for _ in range(5):
        assert login(client, "ana", "contraseña-equivocada").status_code == 401
    blocked = login(client, "ana")  # even the right password
    assert blocked.status_code == 429
    assert "Demasiados intentos" in blocked.get_data(as_text=True)
    assert login(app.test_client(), "beto").status_code == 303  # other users unaffected


def test_login_is_rate_limited_per_ip(console_redis, store, cases, accounts_made):
    app = make_app(console_redis, store, login_max_per_ip=3)
    for name in ("u1x", "u2x", "u3x"):
        assert login(app.test_client(), name, "contraseña-equivocada").status_code == 401
    assert login(app.test_client(), "beto").status_code == 429


def test_session_expires(console_redis, store, cases, accounts_made):
    app = make_app(console_redis, store, session_max_s=1)
    client = app.test_client()
    login(client, "ana")
    assert client.get("/cola").status_code == 200
    time.sleep(1.2)
    assert client.get("/cola").status_code == 302


def test_idle_session_key_has_a_ttl(app, r):
    login(app.test_client(), "ana")
    (key,) = list(r.scan_iter(match="llave:console:session:*"))
    assert 0 < r.ttl(key) <= 1800


def test_disabled_account_loses_its_session(app, r):
    client = app.test_client()
    login(client, "ana")
    users.set_active(r, "ana", False)
    assert client.get("/cola").status_code == 302
    assert login(app.test_client(), "ana").status_code == 401


def test_reviewer_cannot_supervise(app):
    client = app.test_client()
    login(client, "ana")
    token = csrf_of(client)
    assert client.get("/supervision/auditoria").status_code == 403
    data = {"csrf_token": token, "username": "ana"}
    assert client.post("/supervision/casos/sub-test-001/reasignar", data=data).status_code == 403
    assert client.post("/supervision/casos/sub-test-001/liberar", data=data).status_code == 403


def test_security_headers(app):
    client = app.test_client()
    login(client, "ana")
    for path in ("/cola", "/casos/sub-test-001", "/casos/sub-test-001/documentos/id_front"):
        headers = client.get(path).headers
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
    login_page = app.test_client().get("/login")
    assert login_page.headers["Cache-Control"] == "no-store"


def test_personal_data_stays_out_of_urls_and_logs(app, caplog):
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    login(client, "ana")
    token = csrf_of(client)
    client.post("/casos/sub-test-002/tomar", data={"csrf_token": token})
    page = client.get("/casos/sub-test-002").get_data(as_text=True)
    client.post(
        "/casos/sub-test-002/decision",
        data={"csrf_token": token, "action": "approve", "verdict_sha256": _sha(page)},
    )
    person = seeding.PEOPLE[1]
    hrefs = " ".join(_links(page))
    logs = caplog.text
    for value in (person["curp"], person["nombre"], person["primer_apellido"], "acct-002"):
        assert value not in hrefs
        assert value not in logs
    assert "sub-test-002" in logs  # submission ids are what the logs carry


def _sha(page: str) -> str:
    import re

    return re.search(r'name="verdict_sha256" value="([0-9a-f]{64})"', page).group(1)


def _links(page: str) -> list[str]:
    import re

    return re.findall(r'(?:href|src|action)="([^"]*)"', page)
