"""The ``journal`` blueprint and the request helpers its view modules share
(``views``: entries and the action plan; ``followup_views``: check-ins, observation
and the learner's own data; ``staff_views``: the instructor's pages): the activity
as the caller may open it (as a learner keeping a journal), where to go back to, and
how a refusal is shown. Not a view module, so no view module imports another.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, url_for
from marshmallow import ValidationError

from lti_app.actor import confirm
from lti_app.actor.session import Actor
from lti_app.courses.models import Course
from lti_app.peer_activities.journal import panel
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity, render_activity

bp = Blueprint("journal", __name__, url_prefix="/j", template_folder="templates")


def scope(activity_id: str) -> tuple[Actor, Activity, Course]:
    found: tuple[Actor, Activity, Course] = course_activity(activity_id, enabled=panel.enabled)
    return found


def back(actor: Actor, activity: Activity, done: str | None = None) -> Any:
    """The activity page again; ``done`` is what it then confirms, once."""
    return redirect(
        url_for(
            "activities.show",
            activity_id=activity.public_id,
            t=actor.token(),
            **confirm.url_args(actor, done),
            _anchor="journal",
        ),
        code=303,
    )


def learner(activity_id: str) -> tuple[Actor, Activity, Course]:
    """Scoped, and the caller keeps a journal here (a learner, not staff)."""
    actor, activity, course = scope(activity_id)
    if actor.is_staff or not actor.roles.is_learner:
        abort(403)
    return actor, activity, course


def refused(actor: Actor, activity: Activity, message: str, status: int) -> Any:
    g.journal_flash = {"error": message}
    return render_activity(actor, activity), status


def messages(exc: ValidationError) -> str:
    found = exc.normalized_messages()  # type: ignore[no-untyped-call]
    parts: list[str] = []
    for value in found.values():
        parts.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return " ".join(parts)
