"""Instructor pages beside an activity: its Grades panel and the course roster."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, url_for

from lti_app.courses import roster
from lti_app.courses.session import Actor, current_actor, require_actor
from lti_app.extensions import db
from lti_app.grades import services as grades
from lti_app.peer_activities.views import course_activity

bp = Blueprint("staff", __name__, url_prefix="/a", template_folder="templates")


def _activity(actor: Actor, activity_id: str) -> Any:
    """The actor's activity in the actor's course; anything else is a 404."""
    return course_activity(activity_id)[1]


@bp.get("/<activity_id>/grades")
@require_actor(staff=True)
def grades_panel(activity_id: str) -> Any:
    """What was sent to the gradebook, what is waiting, what failed and why."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    return render_template("activities/grades.html", actor=actor, activity=activity,
                           summary=grades.summarise(activity.id))


@bp.post("/<activity_id>/grades/retry")
@require_actor(staff=True)
def grades_retry(activity_id: str) -> Any:
    """Send this activity's failed and waiting scores again now."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    grades.retry_scores(activity_id=activity.id)
    return redirect(url_for("staff.grades_panel", activity_id=activity.public_id,
                            t=actor.token()), code=303)


@bp.get("/<activity_id>/roster")
@require_actor(staff=True)
def roster_page(activity_id: str) -> Any:
    """The course roster as the LMS last reported it, and the sync status."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    assert actor.course is not None
    return render_template("activities/roster.html", actor=actor, activity=activity,
                           course=actor.course, roster=roster.overview(actor.course),
                           jobs_mode=current_app.config["JOBS_MODE"])


@bp.post("/<activity_id>/roster/sync")
@require_actor(staff=True)
def roster_sync(activity_id: str) -> Any:
    """Start a roster sync in the background (the "Sync roster" button)."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    assert actor.course is not None
    course = db.session.merge(actor.course)
    if course.nrps_url:
        roster.request_sync(course)
        course.roster_sync_error = None
    return redirect(url_for("staff.roster_page", activity_id=activity.public_id,
                            t=actor.token()), code=303)
