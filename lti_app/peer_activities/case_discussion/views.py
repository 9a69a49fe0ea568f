"""Pages and actions of the case discussion activity (blueprint ``case_discussion``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from lti_app.peer_activities.case_discussion import panel

bp = Blueprint("case_discussion", __name__, url_prefix="/cd", template_folder="templates")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"case_discussion_enabled": panel.enabled}
