"""The sandbox LMS as its own small Flask app, mounted under /sandbox by :func:`mount`.

It is a separate WSGI app (not a blueprint of the tool) so that it behaves like a
different party: its own CSP, its own error pages, and no access to the tool's
database session. It talks to the tool only the way an LMS would: browser form
posts, the tool's public JWKS over HTTP, and the tool's service calls.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException

from lti_app.sandbox import (
    ags,
    clock_pages,
    deep_linking,
    nrps,
    oauth,
    oidc,
    pages,
    registration,
)
from lti_app.sandbox.context import HintSigner, Sandbox, ToolEndpoints
from lti_app.sandbox.platform import SandboxPlatform, SandboxUser
from lti_app.sandbox.responses import ApiError
from lti_app.sandbox.store import SandboxStore

#: Paths the service-call log records (what the tool calls, not what people browse).
SERVICE_PREFIXES = ("/api/", "/token", "/jwks", "/deep-link-return", "/.well-known/")


def create_sandbox_app(
    platform: SandboxPlatform,
    tool_base_url: str,
    state_path: Path | None,
    *,
    secret_key: str | None = None,
    extra_members: Sequence[SandboxUser] = (),
    clock: clock_pages.SandboxClock | None = None,
) -> Flask:
    """Build the sandbox platform app for ``platform``, talking to the tool at
    ``tool_base_url``; state persists in ``state_path`` (memory when None); ``clock``
    moves the tool's product clock (the "Sandbox clock" box; none: no box)."""
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.extensions["sandbox"] = Sandbox(
        platform=platform,
        tool=ToolEndpoints(tool_base_url.rstrip("/")),
        store=SandboxStore(state_path, extra_members),
        hints=HintSigner(secret_key or secrets.token_urlsafe(32)),
    )
    if clock is not None:
        app.extensions[clock_pages.EXTENSION] = clock
    for module in (pages, oidc, deep_linking, oauth, nrps, ags, registration, clock_pages):
        app.register_blueprint(module.bp)
    app.add_template_filter(utc, "utc")
    _hooks(app)
    return app


def utc(epoch: float) -> str:
    """Store times are epoch seconds; pages show them in UTC, like the API timestamps."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def is_service_path(path: str) -> bool:
    return path.startswith(SERVICE_PREFIXES)


def _csp(tool_origin: str) -> str:
    """Like the tool's policy, plus framing and form posts to the tool (and to a tool
    being registered, whose origin the register page adds to ``g.frame_origins``)."""
    frames = " ".join(["'self'", tool_origin, *g.get("frame_origins", [])])
    return (
        f"default-src 'self'; script-src 'self' 'nonce-{g.get('csp_nonce', '')}'; "
        f"style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src {frames}; "
        f"form-action 'self' {tool_origin}; base-uri 'none'; object-src 'none'"
    )


def _hooks(app: Flask) -> None:
    sandbox: Sandbox = app.extensions["sandbox"]

    @app.before_request
    def _nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def _headers_and_log(resp: Any) -> Any:
        # No X-Frame-Options: sandbox pages are framed by each other (and the
        # deep-linking result shows inside the tool's frame).
        resp.headers.setdefault("Content-Security-Policy", _csp(sandbox.tool.origin))
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        if is_service_path(request.path):
            sandbox.store.log_call(
                request.method,
                request.script_root + request.full_path.rstrip("?"),
                resp.status_code,
            )
        return resp

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Any:
        return exc.response()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if is_service_path(request.path):
            name = exc.name.lower().replace(" ", "_")
            return ApiError(status, exc.description or exc.name, code=name).response()
        return render_template(
            "sandbox/error.html", title=exc.name, message=exc.description, status=status
        ), status
