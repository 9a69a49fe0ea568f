"""Tool-level pages: the landing page (what to paste into an LMS) and a health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from sqlalchemy import text

from lti_app.extensions import db

bp = Blueprint("web", __name__)


@bp.get("/")
def home() -> Any:
    """Landing page: what Peerlift is and the URLs an LMS administrator needs."""
    base = current_app.config["BASE_URL"]
    urls = {
        "Login initiation URL (OIDC)": base + "/lti/login",
        "Redirect / launch URL": base + "/lti/launch",
        "Public keyset (JWKS) URL": base + "/lti/jwks",
        "Deep linking URL": base + "/lti/launch",
        "Dynamic registration URL": base + "/lti/register?invite=… (flask platforms invite)",
        "Canvas developer key JSON": base + "/lti/config/canvas.json",
    }
    return render_template("home.html", urls=urls,
                           sandbox=current_app.config["SANDBOX_ENABLED"]
                           and current_app.config["ENV_NAME"] != "production")


@bp.get("/healthz")
def health() -> Any:
    """Liveness and database check for load balancers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
