"""The ``journal`` blueprint and the request helpers its two view modules share
(``views``: the learner's journal; ``staff_views``: the instructor's pages): the
activity as the caller may open it, and where to go back to. Not a view module, so
neither view module imports the other.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, url_for

from lti_app.actor.session import Actor
from lti_app.courses.models import Course
from lti_app.peer_activities.journal import panel
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import course_activity

bp = Blueprint("journal", __name__, url_prefix="/j", template_folder="templates")


def scope(activity_id: str) -> tuple[Actor, Activity, Course]:
    found: tuple[Actor, Activity, Course] = course_activity(activity_id, enabled=panel.enabled)
    return found


def back(actor: Actor, activity: Activity) -> Any:
    return redirect(
        url_for(
            "activities.show", activity_id=activity.public_id, t=actor.token(), _anchor="journal"
        ),
        code=303,
    )
