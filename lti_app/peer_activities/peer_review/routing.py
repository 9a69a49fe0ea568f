"""The ``peer_review`` blueprint and the request helpers its three view modules share
(``views``: submitting and reviewing; ``staff_views``: the staff pages;
``remedy_views``: what the instructor does about submissions short of reviews):
the activity as the caller may open it, how a refusal shows on the activity page,
and a refused form's messages as one sentence. Not a view module, so no view
module imports another.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, url_for
from marshmallow import ValidationError

from lti_app.actor import confirm
from lti_app.actor.session import Actor, current_actor
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity, render_activity
from lti_app.peer_activities.peer_review import panel

bp = Blueprint("peer_review", __name__, url_prefix="/pr", template_folder="templates")


def scope(activity_id: str) -> tuple[Actor, Activity]:
    actor = current_actor()
    if not (actor.is_staff or actor.roles.is_learner):
        abort(403)  # guests and other roles take no part
    _actor, activity, _course = course_activity(activity_id, enabled=panel.enabled)
    return actor, activity


def back(
    actor: Actor, activity: Activity, done: str | None = None, anchor: str = "peer-review"
) -> Any:
    """The activity page again at ``anchor`` (the staff page opens the tab holding it);
    ``done`` is what it then confirms, once."""
    return redirect(
        url_for(
            "activities.show",
            activity_id=activity.public_id,
            t=actor.token(),
            **confirm.url_args(actor, done),
            _anchor=anchor,
        ),
        code=303,
    )


def refused(actor: Actor, activity: Activity, message: str, status: int = 422) -> Any:
    g.peer_review_flash = {"error": message}
    return render_activity(actor, activity), status


def validation_message(exc: ValidationError) -> str:
    """A refused form's messages, joined into one line for the page."""
    found = exc.normalized_messages()  # type: ignore[no-untyped-call]
    parts: list[str] = []
    for value in found.values():
        parts.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return " ".join(parts)
