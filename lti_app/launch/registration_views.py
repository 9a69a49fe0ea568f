"""``/lti/register``: LTI Dynamic Registration pages. Thin: parse, call the service, render.

The platform opens the GET in an iframe or popup; the confirmation form posts
back here. Framing is allowed for the platform being registered, after its
invite has been checked. Every failure is a readable page with a 4xx status and one audit
log line; the request then rolls back, so nothing is stored.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, make_response, render_template, request
from werkzeug.wrappers import Response

from lti_app.extensions import limiter
from lti_app.launch import registration as service
from lti_app.launch.blueprint import bp
from lti_app.launch.platform_config import ToolSettings
from lti_app.lms.frame_origins import origin_of

#: How long the "registered" page stays before asking the platform to close it.
CLOSE_AFTER_MS = 10_000


def _no_store(resp: Response) -> Response:
    # These pages carry the invite and the platform's registration token.
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _fields() -> dict[str, str | None]:
    data = request.form if request.method == "POST" else request.args
    return {
        name: data.get(name) or None
        for name in ("invite", "openid_configuration", "registration_token")
    }


def _allow_platform_frame(fields: dict[str, str | None]) -> None:
    """Moodle and Canvas open these pages in an iframe of the platform registering:
    once the invite is known to be good, its configuration URL's origin may frame
    them (this response and the error pages after it). Before that, nobody new."""
    service.check_invite(fields["invite"])
    origin = origin_of(fields["openid_configuration"])
    if origin:
        g.frame_ancestors_extra = [origin]


def _register_limit() -> str:
    return str(current_app.config["RATELIMIT_REGISTER"])


@bp.get("/register")
@limiter.limit(_register_limit)
def register_start() -> Any:
    """Show the platform and what Peerlift will ask for; the invite is not used yet."""
    fields = _fields()
    _allow_platform_frame(fields)
    preview = service.start(
        fields["invite"],
        fields["openid_configuration"],
        fields["registration_token"],
        ToolSettings.from_config(current_app.config),
    )
    return _no_store(
        make_response(render_template("launch/register.html", preview=preview, fields=fields))
    )


@bp.post("/register")
@limiter.limit(_register_limit)
def register_complete() -> Any:
    """Register with the platform; the registration waits for an administrator."""
    fields = _fields()
    _allow_platform_frame(fields)
    done = service.complete(
        fields["invite"],
        fields["openid_configuration"],
        fields["registration_token"],
        ToolSettings.from_config(current_app.config),
    )
    return _no_store(
        make_response(
            render_template("launch/register_done.html", done=done, close_after_ms=CLOSE_AFTER_MS)
        )
    )
