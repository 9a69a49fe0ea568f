"""Tool-level pages: the landing page (what to paste into an LMS) and a health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from sqlalchemy import text

from lti_app.extensions import db
from lti_app.launch import runtime

bp = Blueprint("web", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


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
