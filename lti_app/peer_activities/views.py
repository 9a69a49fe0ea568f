"""The activity page a launch lands on, and the setup form for unconfigured links
(the page itself is built in ``page``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import and_, bindparam

from lti_app.actor.session import NOT_READ, Along, current_actor, current_actor_with, require_actor
from lti_app.peer_activities import registry, services
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import render_activity
from lti_app.peer_activities.services import ActivityInputError

bp = Blueprint("activities", __name__, url_prefix="/a", template_folder="templates")


#: The activity page's activity, read with its actor (tenant-scoped like
#: ``services.get_activity``: another platform's or deployment's id finds nothing).
_ACTIVITY = Along(
    Activity,
    lambda: and_(
        Activity.public_id == bindparam("activity"),
        Activity.registration_id == bindparam("reg"),
        Activity.deployment_id == bindparam("dep"),
    ),
)


def _activity(activity_id: str, read: Any = NOT_READ) -> Any:
    """The activity ``activity_id`` as the actor may open it: one of their course's
    (or not yet bound to a course); a session without a course only the activity
    it launched into, and never a course's (404 otherwise). ``read``: the row
    already read with the actor, if it was."""
    actor = current_actor()
    if actor.course is None and actor.activity != activity_id:
        abort(404)
    activity = (
        services.get_activity(actor.registration.id, actor.deployment.id, activity_id)
        if read is NOT_READ
        else read
    )
    if activity is None:
        abort(404)
    if actor.course is None and activity.course_id is not None:
        abort(404)
    if actor.course is not None and activity.course_id not in (None, actor.course.id):
        abort(404)
    return activity


@bp.get("/<activity_id>")
def show(activity_id: str) -> Any:
    """An activity, as the launching person's role sees it (a valid session token
    required: 401 otherwise; the activity is read with the actor, one statement)."""
    actor, read = current_actor_with(_ACTIVITY, {"activity": activity_id})
    return render_activity(actor, _activity(activity_id, read))


@bp.post("/<activity_id>/setup")
@require_actor(staff=True)
def setup(activity_id: str) -> Any:
    """Choose the type and settings of a link that was added without deep linking."""
    actor = current_actor()
    activity = _activity(activity_id)
    try:
        title = request.form.get("title", "").strip()[:255]
        if not title:
            raise ActivityInputError({"title": ["Give the activity a title."]})
        kind = request.form.get("activity_type", "")
        services.configure_activity(
            activity,
            activity_type=kind,
            title=title,
            description=request.form.get("description", "").strip()[:2000],
            settings=services.settings_from_form(kind, request.form),
        )
    except ActivityInputError as exc:
        return render_template(
            "activities/setup.html",
            activity=activity,
            actor=actor,
            types=registry.all_types(),
            errors=exc.messages,
            form=request.form,
        ), 422
    return redirect(
        url_for("activities.show", activity_id=activity.public_id, t=actor.token()), code=303
    )
