"""The body of the app factory: config, extensions, blueprints, CLI, hooks."""

from __future__ import annotations

import contextlib
import logging
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, make_response, render_template, request
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from lti_app import (
    analytics,
    courses,
    grades,
    jobs,
    launch,
    lms,
    lrs,
    mail,
    peer_activities,
    sandbox,
    web,
)
from lti_app.db import WROTE, finish
from lti_app.extensions import db, limiter, migrate
from lti_app.lms import frame_origins
from lti_app.log_redaction import install_werkzeug_filter

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")

_ERROR_TEXT = {
    401: (
        "Your Peerlift session has ended",
        "For your security, Peerlift pages only work for a while after you open them from "
        "your course. Go back to the course and open the activity again.",
    ),
    403: (
        "Not available to your role",
        "This page is for the course's instructors. If you think you should see it, ask "
        "your instructor to check your role in the course.",
    ),
    404: (
        "Not found",
        "There is nothing here. It may have been removed, or belong to another course.",
    ),
    405: ("Not allowed", "That kind of request is not accepted here."),
    429: (
        "Too many attempts",
        "Too many requests came from your network in a short time. "
        "Wait a minute, then open the activity from your course again.",
    ),
}


#: Errors that mean a service the tool needs is not answering (the database after a
#: restart or failover, Redis): a readable 503, never a stack trace.
_UNAVAILABLE = (
    "Peerlift is briefly unavailable",
    "A service Peerlift relies on did not answer, so nothing from this request was "
    "saved. Wait a moment and try again; if you were handing something in, your "
    "browser's Back button keeps what you typed.",
)


def _is_disconnect(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


#: SQLite's result codes for "another connection holds the lock" (primary codes;
#: extended ones such as SQLITE_BUSY_SNAPSHOT, 517, share the low byte).
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
#: How often a request that met a busy embedded database is run again.
SQLITE_BUSY_RETRIES = 3


def _sqlite_busy(exc: DBAPIError) -> bool:
    """The embedded SQLite database refused this transaction because another one
    held the lock. ``busy_timeout`` waits for a plain lock, but SQLite answers at once
    when a transaction that has read must upgrade to a write after another
    connection committed (SQLITE_BUSY_SNAPSHOT in WAL mode)."""
    orig = exc.orig
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "database is locked" in str(orig)


class _Peerlift(Flask):
    """Flask, plus a retry of a request whose database could not serve it:

    - a dead connection (the pool holds connections from before a database restart
      or failover; they are found dead on first use): once, and only when the
      request had written nothing, so the retry cannot do anything twice;
    - the embedded SQLite database busy with another writer: up to
      ``SQLITE_BUSY_RETRIES`` times after a short pause. SQLite rolled the whole
      transaction back, and jobs are dispatched only after a commit, so nothing of
      the failed attempt remains (two learners accepting an agreement at the same
      moment got "briefly unavailable" instead)."""

    def dispatch_request(self) -> Any:
        busy = 0
        while True:
            try:
                return super().dispatch_request()
            except DBAPIError as exc:
                if _sqlite_busy(exc) and busy < SQLITE_BUSY_RETRIES:
                    busy += 1
                    self.logger.warning(
                        "database busy; running %s again (%d of %d)",
                        request.path,
                        busy,
                        SQLITE_BUSY_RETRIES,
                    )
                    db.session.rollback()
                    db.session().info.pop(WROTE, None)
                    time.sleep(0.05 * busy)
                    continue
                if not _is_disconnect(exc) or db.session().info.get(WROTE):
                    raise
                self.logger.warning(
                    "database connection lost (%s); retrying %s once on a fresh connection",
                    type(exc.orig).__name__,
                    request.path,
                )
                db.session.rollback()
                return super().dispatch_request()


def build(test_config: dict[str, Any] | None) -> Flask:
    env_name = (test_config or {}).get("ENV_NAME")
    app = _Peerlift(__name__)
    app.config.update(config.load(env_name))
    if test_config:
        app.config.update(test_config)
    _logging(app)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    limiter.init_app(app)
    _models()

    # -- Wiring, in this order. Each package's ``init_app`` adds everything it brings
    # (blueprints, CLI groups, jobs, sweeps, notice sources, template hooks); nothing
    # registers itself on import. Lower layers first, so a package finds what it
    # builds on already wired.
    lms.init_app(app)  # LMS service clients (access tokens, HTTP pool); platforms/keys CLI
    mail.init_app(app)  # the e-mail outbox: send job and sweep
    lrs.init_app(app)  # the xAPI outbox: delivery job
    courses.init_app(app)  # roster sync job and sweeps; roster CLI
    grades.init_app(app)  # score delivery and "Send grades" jobs and sweeps; grades CLI
    launch.init_app(app)  # /lti: login, launch, deep linking, JWKS, dynamic registration

    # The activity pages, the grouping capability and every activity (each activity
    # is one package + one line in lti_app/peer_activities/__init__.py).
    peer_activities.init_app(app)

    analytics.init_app(app)  # /an pages, check notices, rollup and xAPI sweeps, launch receiver
    web.init_app(app)  # / and /healthz
    sandbox.init_app(app)  # /sandbox, the demo LMS (never in production)
    # Last: the job runner is built from every job registered above (Celery makes
    # one task per job name when it is created).
    _jobs(app)
    _request_cycle(app)
    return app


def _jobs(app: Flask) -> None:
    """The job runner ``JOBS_MODE`` names (see ``lti_app.jobs``)."""
    jobs.init_app(app)
    if app.config["JOBS_MODE"] == "thread":
        # The embedded worker starts with the first request, not with CLI commands,
        # and a request finds it again if it was stopped (a thread check, no lock).
        @app.before_request
        def _start_jobs() -> None:
            jobs.dispatcher(app).start()


def _models() -> None:
    """Import every model module so metadata (and Alembic) sees all tables."""
    import lti_app.analytics.models
    import lti_app.courses.models
    import lti_app.grades.models
    import lti_app.launch.models
    import lti_app.lms.models
    import lti_app.lrs.models
    import lti_app.mail.models
    import lti_app.peer_activities.case_discussion.models
    import lti_app.peer_activities.grouping.models
    import lti_app.peer_activities.journal.models
    import lti_app.peer_activities.models
    import lti_app.peer_activities.peer_review.calibration_models
    import lti_app.peer_activities.peer_review.models
    import lti_app.peer_activities.role_play.models  # noqa: F401


def _logging(app: Flask) -> None:
    level = getattr(logging, str(app.config["LOG_LEVEL"]).upper(), logging.INFO)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("peerlift.audit").setLevel(logging.INFO)
    logging.getLogger("lti_app").setLevel(level)
    install_werkzeug_filter()  # the development server's request lines carry ?t= tokens


def _frame_ancestors() -> str:
    """Who may frame this page: the platforms of the person it was built for,
    or (before any launch) every active platform; never anyone else."""
    actor = g.get("actor")
    try:
        origins = (
            frame_origins.for_registration(actor.registration)
            if actor is not None
            else list(frame_origins.all_active())
        )
    except Exception:  # the header must not turn a page into an error (e.g. no tables yet)
        current_app.logger.warning(
            "could not read platform origins for frame-ancestors", exc_info=True
        )
        db.session.rollback()
        origins = []
    # A page may name one more origin for itself (Dynamic Registration: the
    # platform being registered, once its invite has been checked).
    return " ".join(["'self'", *origins, *g.get("frame_ancestors_extra", ())])


def _actor_frame_ancestors() -> str | None:
    """``_frame_ancestors()`` for a page built for a launched person, from the rows
    already loaded (no statement, never a rollback); None when there is no actor."""
    actor = g.get("actor")
    if actor is None:
        return None
    try:
        return " ".join(["'self'", *frame_origins.for_registration(actor.registration)])
    except Exception:  # noqa: BLE001 - the header falls back to the usual path
        return None


def commit_request(resp: Any) -> None:
    """The one place a request commits (services flush, never commit): a response
    under 400 keeps what the request wrote, anything else rolls it back. Jobs the
    request asked for (``jobs.after_commit``) are dispatched by this commit."""
    finish(db.session(), ok=resp.status_code < 400)


def add_security_headers(app: Flask, resp: Any, ancestors: str) -> None:
    """CSP (with this request's nonce and who may frame the page), referrer,
    sniffing and, in production, HSTS; a header a view set itself is kept."""
    nonce = g.get("csp_nonce", "")
    form_action = "'self' https:" if app.config["COOKIE_SECURE"] else "'self' https: http:"
    resp.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"form-action {form_action}; base-uri 'none'; object-src 'none'; "
        f"frame-ancestors {ancestors}",
    )
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    if app.config["ENV_NAME"] == "production":
        resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def _request_cycle(app: Flask) -> None:
    """What runs around every request: the CSP nonce, the commit, the headers, the
    rollback of a failed request, and the error pages."""

    @app.before_request
    def _nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def _finish(resp: Any) -> Any:
        # A launched person's platform origins are read before the commit, which would
        # expire the registration row and cost a statement to read it again.
        early = _actor_frame_ancestors()
        commit_request(resp)
        add_security_headers(app, resp, early if early is not None else _frame_ancestors())
        if db.session().in_transaction():
            # The platforms' origins were read after the commit (no actor, cache
            # expired): end that read with a COMMIT too, as a ROLLBACK at teardown
            # would make psycopg forget the connection's prepared statements.
            db.session.commit()
        return resp

    @app.teardown_request
    def _rollback(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        # An exception may carry its own page text (e.g. actor.session.AccessEnded).
        title, message = getattr(exc, "page", None) or _ERROR_TEXT.get(
            code, ("Something went wrong", exc.description or "")
        )
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            return {"error": title, "status": code}, code
        return render_template(
            "error.html",
            title=title,
            message=message,
            code=str(code),
            ref=None,
            new_window_url=None,
        ), code

    @app.errorhandler(DBAPIError)
    @app.errorhandler(RedisError)
    def _unavailable(exc: Exception) -> Any:
        if isinstance(exc, DBAPIError) and not (
            _is_disconnect(exc) or isinstance(exc, OperationalError)
        ):
            return _unexpected(exc)
        ref = secrets.token_hex(4)
        app.logger.error(
            "service unavailable ref=%s path=%s: %s: %s",
            ref,
            request.path,
            type(exc).__name__,
            str(exc).splitlines()[0][:300],
        )
        with contextlib.suppress(Exception):
            db.session.rollback()
        title, message = _UNAVAILABLE
        resp = make_response(
            render_template(
                "error.html",
                title=title,
                message=message,
                code="unavailable",
                ref=ref,
                new_window_url=None,
            ),
            503,
        )
        resp.headers["Retry-After"] = "10"
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        ref = secrets.token_hex(4)
        app.logger.exception("unhandled error ref=%s path=%s", ref, request.path)
        db.session.rollback()
        return render_template(
            "error.html",
            title="Something went wrong",
            message="Peerlift hit an unexpected problem and saved nothing from this request. "
            "Try again; if it keeps happening, tell your administrator the reference below.",
            code="internal_error",
            ref=ref,
            new_window_url=None,
        ), 500
