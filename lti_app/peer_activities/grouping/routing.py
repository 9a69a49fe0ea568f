"""The ``grouping`` blueprint and the request helpers its two view modules share
(``views``: the intake survey, the group agreement, reporting lines; ``round_views``:
forming, moving, locking and publishing groups): body-size limits, the activity as
the caller may open it, the redirect back to the activity page, and how a refusal
shows on it. Not a view module, so neither view module imports the other.

Every view is scoped: the activity must belong to the caller's platform,
deployment and course, and be a group activity; anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from lti_app.actor import confirm
from lti_app.actor.session import Actor
from lti_app.courses.models import Course
from lti_app.peer_activities.grouping import panel, reporting_lines
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity, render_activity

bp = Blueprint(
    "grouping", __name__, url_prefix="/g", template_folder="templates", static_folder="static"
)


#: Request bodies larger than these are refused before they are parsed.
BODY_LIMITS = {
    "grouping.import_reporting_lines": 2 * 1024 * 1024,
    "grouping.check_groups": 256 * 1024,
}


@bp.before_request
def _limit_bodies() -> None:
    limit = BODY_LIMITS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> Any:
    if request.endpoint == "grouping.check_groups":
        return jsonify({"error": "too many groups to check"}), 413
    limit = reporting_lines.MAX_CSV_BYTES // 1024
    return render_template(
        "error.html",
        title="That file is too large",
        message=f"Reporting-line files may be up to {limit} KB. Split the file into smaller "
        "files, go back, and upload them one by one.",
        code="413",
        ref=None,
        new_window_url=None,
    ), 413


def scope(activity_id: str) -> tuple[Actor, Activity, Course]:
    return course_activity(activity_id, enabled=panel.enabled)


def learner_only(actor: Actor) -> None:
    if not actor.roles.is_learner:
        abort(403)


def back(actor: Actor, activity: Activity, done: str | None = None) -> Any:
    """The activity page again; ``done`` is what it then confirms, once."""
    return redirect(
        url_for(
            "activities.show",
            activity_id=activity.public_id,
            t=actor.token(),
            **confirm.url_args(actor, done),
            _anchor="groups",
        ),
        code=303,
    )


def page_with(actor: Actor, activity: Activity, *, status: int = 422, **flash: Any) -> Any:
    """The activity page again, with a message on the grouping panel."""
    g.grouping_flash = flash
    # The address bar becomes the activity page again, so a reload does not re-post.
    page = url_for("activities.show", activity_id=activity.public_id, t=actor.token())
    return render_activity(actor, activity, self_url=page), status


def messages(exc: ValidationError) -> dict[str, list[str]]:
    """Field → flat list of messages (nested list-item errors folded in)."""

    def flat(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [m for v in value.values() for m in flat(v)]
        if isinstance(value, list | tuple):
            return [m for v in value for m in flat(v)]
        return [str(value)]

    messages = exc.normalized_messages()  # type: ignore[no-untyped-call]
    if not isinstance(messages, dict):
        return {"_schema": flat(messages)}
    return {str(k): list(dict.fromkeys(flat(v))) for k, v in messages.items()}
