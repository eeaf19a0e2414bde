"""The console's pages and actions. URLs carry submission ids only, never personal data."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from console import audit, auth, decisions, reviewqueue, users
from console.app import services
from console.compare import compare
from console.evidence import FACE_ARTEFACTS, ROLES, EvidenceMissing, render_image
from console.evidence import valid_submission_id as _valid_id
from console.labels import ACTIONS, AUDIT_ACTIONS
from models.codes import RESUBMIT_REASONS

log = logging.getLogger("llave.console")
bp = Blueprint("views", __name__)


# ----------------------------------------------------------------------------- login / logout


@bp.get("/login")
def login() -> BaseResponse:
    """The login form (with a fresh double-submit CSRF cookie)."""
    return _login_page("", 200)


@bp.post("/login")
def login_post() -> BaseResponse:
    """Check the password, within the per-username and per-IP limits."""
    console = services()
    username = request.form.get("username", "").strip().lower()[:64]
    password = request.form.get("password", "")[:512]
    ip = request.remote_addr or "?"
    wait = console.limiter.blocked(username, ip)
    if wait:
        log.warning("login rate-limited")
        return _login_page(f"Demasiados intentos. Intenta de nuevo en {wait // 60 + 1} min.", 429)
    user = users.authenticate(console.redis, username, password)
    if user is None:
        console.limiter.failed(username, ip)
        return _login_page("Usuario o contraseña incorrectos.", 401)
    console.limiter.succeeded(username)
    session = console.sessions.create(user)
    log.info("login: %s", user.username)
    response = redirect(url_for("views.queue"), code=303)
    _set_cookie(response, auth.SESSION_COOKIE, session.token, console.settings.session_max_s)
    response.delete_cookie(auth.PRELOGIN_COOKIE, path="/login")
    return response


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session."""
    services().sessions.end(g.session.token)
    response = redirect(url_for("views.login"), code=303)
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


def _login_page(error: str, status: int) -> BaseResponse:
    # Reuse the browser's pending token: a parallel request (e.g. a favicon) must not
    # invalidate the form already on screen.
    token = request.cookies.get(auth.PRELOGIN_COOKIE, "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{40,64}", token):
        token = secrets.token_urlsafe(32)
    body = render_template("login.html", error=error, csrf_token=token)
    response = Response(body, status=status, mimetype="text/html")
    _set_cookie(response, auth.PRELOGIN_COOKIE, token, 3600, path="/login")
    return response


def _set_cookie(
    response: BaseResponse, name: str, value: str, max_age: int, path: str = "/"
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="Strict",
        secure=services().settings.cookie_secure,
    )


# ----------------------------------------------------------------------------- queue and claims


@bp.get("/")
def home() -> BaseResponse:
    """The queue is the home page."""
    return redirect(url_for("views.queue"))


@bp.get("/cola")
def queue() -> str:
    """Flagged cases, oldest first, with reasons, age and who holds each claim."""
    console = services()
    items = reviewqueue.open_cases(console.redis)
    claims = console.claims.of([i.submission_id for i in items])
    reviewers = (
        [u for u in users.all_users(console.redis) if u.active] if g.user.is_supervisor else []
    )
    now = dt.datetime.now(dt.UTC)
    mine = sum(1 for c in claims.values() if c.holder == g.user.username)
    return render_template(
        "queue.html",
        items=items,
        claims=claims,
        now=now,
        reviewers=reviewers,
        mine=mine,
    )


@bp.post("/casos/<submission_id>/tomar")
def claim(submission_id: str) -> BaseResponse:
    """Claim a case (or renew one's own claim)."""
    console = services()
    _known_case(submission_id)
    if console.claims.acquire(submission_id, g.user.username):
        audit.append(
            console.redis, g.user.username, g.user.role, "claim", submission_id=submission_id
        )
        return redirect(url_for("views.case", submission_id=submission_id), code=303)
    _flash("Otra persona ya tomó este caso.", "error")
    return redirect(url_for("views.queue"), code=303)


@bp.post("/casos/<submission_id>/liberar")
def release(submission_id: str) -> BaseResponse:
    """Give one's own claim back to the queue."""
    console = services()
    if console.claims.release(submission_id, g.user.username):
        audit.append(
            console.redis, g.user.username, g.user.role, "release", submission_id=submission_id
        )
        _flash(f"Liberaste el caso {submission_id}.")
    return redirect(url_for("views.queue"), code=303)


@bp.post("/supervision/casos/<submission_id>/liberar")
def force_release(submission_id: str) -> BaseResponse:
    """Supervisor: release anyone's claim."""
    console = _supervisor()
    previous = console.claims.force_release(submission_id)
    if previous:
        audit.append(
            console.redis,
            g.user.username,
            g.user.role,
            "release",
            submission_id=submission_id,
            previous_holder=previous,
        )
        _flash(f"Se liberó el caso {submission_id} (tenía: {previous}).")
    return redirect(url_for("views.queue"), code=303)


@bp.post("/supervision/casos/<submission_id>/reasignar")
def reassign(submission_id: str) -> BaseResponse:
    """Supervisor: give a case to another active reviewer."""
    console = _supervisor()
    _known_case(submission_id)
    target = users.get(console.redis, request.form.get("username", ""))
    if target is None or not target.active:
        raise decisions.DecisionRefused("Elige una persona revisora activa.", 400)
    previous = console.claims.assign(submission_id, target.username)
    audit.append(
        console.redis,
        g.user.username,
        g.user.role,
        "reassign",
        submission_id=submission_id,
        previous_holder=previous or "",
        new_holder=target.username,
    )
    _flash(f"El caso {submission_id} quedó asignado a {target.username}.")
    return redirect(url_for("views.queue"), code=303)


# ----------------------------------------------------------------------------- case page


@bp.get("/casos/<submission_id>")
def case(submission_id: str) -> str:
    """Everything a reviewer needs to decide one case."""
    console = services()
    loaded = _verdict(submission_id)
    verdict = loaded.verdict
    payload = console.evidence.payload(submission_id)
    item = reviewqueue.find(console.redis, submission_id)
    holder = console.claims.holder(submission_id)
    if holder is not None and holder == g.user.username:
        console.claims.acquire(submission_id, holder)  # working on it: renew the claim
    checks = list(verdict.checks)
    return render_template(
        "case.html",
        sid=submission_id,
        verdict=verdict,
        sha256=loaded.sha256,
        payload=payload,
        item=item,
        now=dt.datetime.now(dt.UTC),
        holder=holder,
        mine=holder == g.user.username,
        decision=console.evidence.decision(submission_id),
        rows=compare(verdict.extracted, payload.registration if payload else None),
        id_checks=[c for c in checks if _is_id_check(c.name)],
        face_check=next((c for c in checks if c.name == "face_match"), None),
        checks=checks,
        citizen_default=_citizen_default(verdict),
        history=audit.for_submission(console.redis, submission_id) if g.user.is_supervisor else [],
        roles=ROLES,
    )


@bp.get("/casos/<submission_id>/documentos/<role>")
def document(submission_id: str, role: str) -> BaseResponse:
    """One upload, re-encoded as a bounded JPEG (PDFs: first page through poppler)."""
    console = services()
    if role not in ROLES:
        abort(404)
    _verdict(submission_id)
    data = console.evidence.document(submission_id, role, console.evidence.payload(submission_id))
    return _image(render_image(data, console.settings.max_image_side) if data else None)


@bp.get("/casos/<submission_id>/rostros/<name>")
def face(submission_id: str, name: str) -> BaseResponse:
    """An aligned face crop written by the pipeline."""
    if name not in FACE_ARTEFACTS:
        abort(404)
    verdict = _verdict(submission_id).verdict
    data = services().evidence.artefact(submission_id, name, verdict)
    return _image(render_image(data, 400) if data else None)


@bp.post("/casos/<submission_id>/decision")
def decide(submission_id: str) -> BaseResponse:
    """Approve, reject (cause + note) or ask for resubmission (message for the citizen)."""
    console = services()
    if not _valid_id(submission_id):
        abort(404)
    form = decisions.parse_form(request.form)
    try:
        record = decisions.apply(
            console.redis, console.evidence, console.claims, g.user, submission_id, form
        )
    except EvidenceMissing:
        abort(404)
    log.info("decision: %s %s by %s", submission_id, record["action"], g.user.username)
    if record["status_applied"]:
        _flash(f"Caso {submission_id}: {ACTIONS[record['action']][1].lower()}.")
    else:  # the account moved on to a newer submission; its status stays
        _flash(
            f"Caso {submission_id}: {ACTIONS[record['action']][1].lower()}; la cuenta ya tiene "
            "una solicitud más reciente, así que su estado no cambió.",
            "error",
        )
    return redirect(url_for("views.queue"), code=303)


# ----------------------------------------------------------------------------- supervision


@bp.get("/supervision/auditoria")
def audit_log() -> str:
    """Supervisor: the latest audit entries and the verification of the whole hash chain."""
    console = _supervisor()
    report = audit.verify(console.redis)
    entries = audit.read(console.redis, newest_first=True, count=300)
    return render_template("audit.html", report=report, entries=entries, labels=AUDIT_ACTIONS)


# ----------------------------------------------------------------------------- helpers


def _supervisor():  # type: ignore[no-untyped-def]
    if not g.user.is_supervisor:
        abort(403)
    return services()


def _verdict(submission_id: str):  # type: ignore[no-untyped-def]
    if not _valid_id(submission_id):
        abort(404)
    try:
        return services().evidence.verdict(submission_id)
    except EvidenceMissing:
        abort(404)


def _known_case(submission_id: str) -> None:
    """404 unless the submission is waiting in the review queue."""
    if not _valid_id(submission_id) or reviewqueue.find(services().redis, submission_id) is None:
        abort(404)


def _image(jpeg: bytes | None) -> BaseResponse:
    if jpeg is None:
        abort(404)
    response = Response(jpeg, mimetype="image/jpeg")
    response.headers["Content-Disposition"] = "inline"
    return response


def _is_id_check(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in ("mrz", "curp"))


def _citizen_default(verdict) -> str:  # type: ignore[no-untyped-def]
    """A starting text for a resubmission message: the citizen explanations of fixable reasons."""
    texts = [e.citizen for e in verdict.explanations if e.reason in RESUBMIT_REASONS]
    return "\n".join(dict.fromkeys(texts))


def _flash(message: str, kind: str = "ok") -> None:
    services().sessions.flash(g.session.token, message, kind)
