"""Tool-level pages: the landing page (what to paste into an LMS), a health check,
the favicon, and what every page's layout (``base.html``) asks of the request: the
one-time confirmation it carries and the platform origins the page may post its
height to (``lti.frameResize``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, g, render_template, send_from_directory
from sqlalchemy import text

from lti_app.actor import confirm
from lti_app.extensions import db
from lti_app.launch import runtime
from lti_app.lms import frame_origins

bp = Blueprint("web", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(confirm.message, "one_time_confirmation")
    app.add_template_global(platform_origins, "platform_origins")


def platform_origins() -> list[str]:
    """Where this page may post messages to its frame (``lti.frameResize``): the
    origins of the launched person's platform, from the rows already loaded (no
    statement); [] before a launch (nobody to tell, and never ``*``)."""
    actor = g.get("actor")
    if actor is None:
        return []
    try:
        return frame_origins.for_registration(actor.registration)
    except Exception:  # noqa: BLE001 - a missing origin only means no resizing
        return []


@bp.get("/")
def home() -> Any:
    """Landing page: what Peerlift is and the URLs an LMS administrator needs."""
    site = runtime.site()
    urls = {
        "Login initiation URL (OIDC)": site.login_url,
        "Redirect / launch URL": site.launch_url,
        "Public keyset (JWKS) URL": site.jwks_url,
        "Deep linking URL": site.launch_url,
        "Dynamic registration URL": site.base_url
        + "/lti/register?invite=… (flask platforms invite)",
        "Canvas developer key JSON": site.base_url + "/lti/config/canvas.json",
    }
    return render_template(
        "home.html",
        urls=urls,
        sandbox=current_app.config["SANDBOX_ENABLED"]
        and current_app.config["ENV_NAME"] != "production",
    )


@bp.get("/healthz")
def health() -> Any:
    """Liveness and database check for load balancers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/favicon.ico")
def favicon() -> Any:
    """The tab icon browsers ask for on every page (also linked from base.html)."""
    return send_from_directory(
        current_app.static_folder or "static", "favicon.ico", max_age=7 * 24 * 3600
    )
