"""Wiring of the console: services, request hooks (session, CSRF, headers), error pages."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis
from flask import Flask, Response, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from console import auth, users
from console.claims import Claims
from console.config import ConsoleSettings
from console.decisions import DecisionRefused
from console.evidence import Evidence

log = logging.getLogger("llave.console")

#: endpoints reachable without a session
PUBLIC_ENDPOINTS = {"views.login", "views.login_post", "static"}
#: endpoints that render no page, so must not consume the session's pending message
NO_PAGE_ENDPOINTS = {"views.document", "views.face", "static"}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)


@dataclass
class Console:
    """The services one console app uses."""

    settings: ConsoleSettings
    redis: redis.Redis
    evidence: Evidence
    sessions: auth.Sessions
    claims: Claims
    limiter: auth.LoginLimiter


def services() -> Console:
    """The current app's services."""
    from flask import current_app

    return current_app.extensions["llave_console"]


def build(settings: ConsoleSettings, *, redis_client: Any = None, store: Any = None) -> Flask:
    """Create the Flask app with its services, hooks, views and error pages."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # Flask's own session is not used
        MAX_CONTENT_LENGTH=64 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    r = redis_client or redis.Redis.from_url(settings.redis_url, socket_timeout=5)
    app.extensions["llave_console"] = Console(
        settings=settings,
        redis=r,
        evidence=Evidence(
            store or _default_store(), settings.upload_bucket, settings.verdict_bucket
        ),
        sessions=auth.Sessions(r, settings.session_idle_s, settings.session_max_s),
        claims=Claims(r, settings.claim_ttl_s),
        limiter=auth.LoginLimiter(
            r, settings.login_window_s, settings.login_max_per_user, settings.login_max_per_ip
        ),
    )
    from console import filters, views

    filters.register(app)
    app.register_blueprint(views.bp)
    app.before_request(_load_session)
    app.before_request(_require_session)
    app.before_request(_check_csrf)
    app.after_request(_security_headers)
    for status in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(status, _error_page)
    app.register_error_handler(DecisionRefused, _error_page)
    return app


def _default_store() -> Any:
    from workers.settings import Settings
    from workers.storage import store_from_settings

    return store_from_settings(Settings.from_env())


def _load_session() -> None:
    g.session, g.user, g.flash = None, None, None
    if request.endpoint == "static":
        return
    console = services()
    g.session = console.sessions.load(request.cookies.get(auth.SESSION_COOKIE))
    g.user = users.get(console.redis, g.session.username) if g.session else None
    if g.session is not None and (g.user is None or not g.user.active):
        console.sessions.end(g.session.token)
        g.session, g.user = None, None
    if g.session is not None and request.endpoint not in NO_PAGE_ENDPOINTS:
        g.flash = console.sessions.pop_flash(g.session.token)


def _require_session() -> BaseResponse | None:
    if request.endpoint in PUBLIC_ENDPOINTS or g.user is not None:
        return None
    if request.method == "GET":
        return redirect(url_for("views.login"))
    return _error_page(_Status(401))


def _check_csrf() -> Response | None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    origin = request.headers.get("Origin")
    # Host only: behind a TLS-terminating proxy the scheme seen here differs from the browser's.
    if origin and urlsplit(origin).netloc != request.host:
        return _error_page(_Status(403))
    given = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
    if request.endpoint == "views.login_post":
        expected = request.cookies.get(auth.PRELOGIN_COOKIE)
    else:
        expected = g.session.csrf if g.session else None
    if not auth.same_token(expected, given):
        log.warning("csrf refused: %s %s", request.method, request.endpoint)
        return _error_page(_Status(403))
    return None


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


@dataclass
class _Status:
    code: int


_ERRORS = {
    400: ("Solicitud inválida", "La solicitud no es válida."),
    401: ("Sesión requerida", "Inicia sesión para continuar."),
    403: ("Acceso denegado", "No tienes permiso o el formulario caducó; recarga la página."),
    404: ("No encontrado", "La página o el caso no existe."),
    405: ("Método no permitido", "Esta acción no se puede hacer así."),
    409: ("Conflicto", "La acción no se puede aplicar al estado actual del caso."),
    413: ("Solicitud demasiado grande", "El formulario excede el tamaño permitido."),
    429: ("Demasiados intentos", "Espera unos minutos antes de intentarlo de nuevo."),
    500: ("Error interno", "Ocurrió un error; avisa a soporte con la hora del incidente."),
}


def _error_page(error: Any) -> Response:
    code = getattr(error, "code", None) or 500
    if not isinstance(code, int):
        code = 500
    title, text = _ERRORS.get(code, _ERRORS[500])
    if isinstance(error, DecisionRefused):
        code, text = error.status, str(error)
        title = _ERRORS.get(code, _ERRORS[409])[0]
    if code == 500:
        log.exception("internal error on %s", request.endpoint)
    body = render_template("error.html", title=title, text=text, code=code)
    return Response(body, status=code, mimetype="text/html")
