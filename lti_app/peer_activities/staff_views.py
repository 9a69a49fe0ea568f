"""Instructor pages beside an activity: its Grades panel, the course roster, and its
Settings (every setting of every activity type, with what can no longer change)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from lti_app.courses import roster
from lti_app.courses.session import Actor, current_actor, require_actor
from lti_app.extensions import db
from lti_app.grades import services as grades
from lti_app.peer_activities import registry, settings_edit, settings_form
from lti_app.peer_activities.settings_form import ActivityInputError
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


def render_settings(actor: Actor, activity: Any, *, errors: dict[str, Any] | None = None,
                    typed: Any = None, prefix: str = "", status: int = 200) -> Any:
    """The Settings page: what is typed (after an error) or in force, the reasons
    some settings are fixed now, and the confirmation of a save (``?saved=``)."""
    kind = registry.get(activity.activity_type)
    if kind is None:
        abort(404)
    saved = request.args.get("saved") if request.method == "GET" else None
    names = [n for n in (saved or "").split(",") if n]
    current = settings_form.effective(kind, activity.settings)
    elsewhere = [(s.label, settings_form.words(s, current[s.name], current), s.edited_elsewhere)
                 for s in settings_form.specs(kind) if s.edited_elsewhere and s.shown]
    return render_template(
        "activities/settings.html", actor=actor, activity=activity, kind=kind,
        values=settings_form.form_values(kind, activity.settings, typed, prefix),
        form=typed if typed is not None else {}, errors=errors or {},
        fixed=settings_edit.locked_settings(activity, kind), elsewhere=elsewhere,
        confirmation=settings_edit.confirmation(kind, activity, names),
        nothing_changed=saved is not None and not names), status


@bp.get("/<activity_id>/settings")
@require_actor(staff=True)
def settings_page(activity_id: str) -> Any:
    """Every setting of the activity, editable where people's work allows it."""
    actor = current_actor()
    return render_settings(actor, _activity(actor, activity_id))


@bp.post("/<activity_id>/settings")
@require_actor(staff=True)
def settings_save(activity_id: str) -> Any:
    """Save the settings; a refused field keeps what was typed and says why."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    kind = registry.get(activity.activity_type)
    if kind is None:
        abort(404)
    try:
        result = settings_edit.edit_settings(activity, kind, request.form)
    except ActivityInputError as exc:
        return render_settings(actor, activity, errors=exc.messages, typed=request.form,
                               status=422)
    return redirect(url_for("staff.settings_page", activity_id=activity.public_id,
                            t=actor.token(), saved=",".join(result.changed)), code=303)
