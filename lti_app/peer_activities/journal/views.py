"""Pages and actions of the journal activity (blueprint ``journal``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from lti_app.peer_activities.journal import panel

bp = Blueprint("journal", __name__, url_prefix="/j", template_folder="templates")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"journal_enabled": panel.enabled}
