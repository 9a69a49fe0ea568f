"""Instructor pages beside an activity: its Grades panel, the course roster, and its
Settings (every setting of every activity type, with what can no longer change)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from lti_app.actor import confirm
from lti_app.actor.session import Actor, current_actor, require_actor
from lti_app.courses import roster
from lti_app.extensions import db
from lti_app.grades import panel as grades
from lti_app.grades import publishing
from lti_app.peer_activities import registry, settings_edit
from lti_app.peer_activities.page import course_activity, render_settings
from lti_app.peer_activities.settings_form import ActivityInputError

bp = Blueprint("staff", __name__, url_prefix="/a", template_folder="templates")


def _activity(actor: Actor, activity_id: str) -> Any:
    """The actor's activity in the actor's course; anything else is a 404."""
    return course_activity(activity_id)[1]


def _grades_page(
    actor: Actor, activity: Any, *, message: str = "", error: str = "", status: int = 200
) -> Any:
    run = publishing.latest_send(activity.id)
    return render_template(
        "activities/grades.html",
        actor=actor,
        activity=activity,
        summary=grades.summarise(activity.id),
        message=message,
        error=error,
        progress=publishing.progress_of(run),
        can_send=publishing.source_of(activity) is not None,
    ), status


def _to_grades(actor: Actor, activity: Any, **done: Any) -> Any:
    return redirect(
        url_for("staff.grades_panel", activity_id=activity.public_id, t=actor.token(), **done),
        code=303,
    )


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 9 else None


@bp.get("/<activity_id>/grades")
@require_actor(staff=True)
def grades_panel(activity_id: str) -> Any:
    """What was sent to the gradebook, what is waiting, what failed and why."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    return _grades_page(actor, activity, message=_done_message())


def _done_message() -> str:
    """The confirmation of the action that led here (Post/Redirect/Get)."""
    if request.args.get("done") == "send":
        return (
            "Sending grades has started. It runs in the background: the progress is "
            "below, and grades reach the gradebook batch by batch."
        )
    if request.args.get("done") == "retry":
        queued, already = _int_arg("queued") or 0, _int_arg("already") or 0
        text = (
            f"{queued} score{'s' if queued != 1 else ''} queued to be sent again."
            if queued
            else "Nothing needed sending again."
        )
        if already:
            text += (
                f" {already} failed score{'s were' if already != 1 else ' was'} already "
                "in the LMS: marked sent, not sent twice."
            )
        return text
    return ""


@bp.post("/<activity_id>/grades/retry")
@require_actor(staff=True)
def grades_retry(activity_id: str) -> Any:
    """Send this activity's failed and waiting scores again now."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    outcome = grades.retry_scores(activity_id=activity.id)
    return _to_grades(
        actor, activity, done="retry", queued=outcome.queued, already=outcome.already_delivered
    )


@bp.get("/<activity_id>/grades/send")
@require_actor(staff=True)
def grades_send_confirm(activity_id: str) -> Any:
    """Before "Send grades": who would get a grade, who never started, and the choice
    of what the latter get (nothing unless the instructor says otherwise)."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    try:
        counts = publishing.count_starters(activity)
    except publishing.SendError as exc:
        return _grades_page(actor, activity, error=str(exc), status=409)
    return render_template(
        "activities/grades_send.html",
        actor=actor,
        activity=activity,
        counts=counts,
        running=publishing.running_send(activity.id),
    )


@bp.post("/<activity_id>/grades/send")
@require_actor(staff=True)
def grades_send(activity_id: str) -> Any:
    """Start "Send grades" in the background; the Grades page shows its progress."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    zero = request.form.get("non_starters") == "zero"
    confirmed = request.form.get("confirmed_non_starters", "")
    try:
        publishing.start_send(
            activity,
            actor.person,
            zero_non_starters=zero,
            confirmed_non_starters=int(confirmed)
            if confirmed.isdigit() and len(confirmed) < 9
            else None,
        )
    except publishing.SendError as exc:
        counts = publishing.count_starters(activity) if publishing.source_of(activity) else None
        if counts is None:
            return _grades_page(actor, activity, error=str(exc), status=409)
        return render_template(
            "activities/grades_send.html",
            actor=actor,
            activity=activity,
            counts=counts,
            error=str(exc),
            chose_zero=zero,
            running=publishing.running_send(activity.id),
        ), 409
    return _to_grades(actor, activity, done="send")


@bp.get("/<activity_id>/roster")
@require_actor(staff=True)
def roster_page(activity_id: str) -> Any:
    """The course roster as the LMS last reported it, and the sync status."""
    actor = current_actor()
    activity = _activity(actor, activity_id)
    assert actor.course is not None
    return render_template(
        "activities/roster.html",
        actor=actor,
        activity=activity,
        course=actor.course,
        roster=roster.overview(actor.course),
        jobs_mode=current_app.config["JOBS_MODE"],
    )


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
    started = "Roster sync started." if course.nrps_url else None
    return redirect(
        url_for(
            "staff.roster_page",
            activity_id=activity.public_id,
            t=actor.token(),
            **confirm.url_args(actor, started),
        ),
        code=303,
    )


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
        return render_settings(actor, activity, errors=exc.messages, typed=request.form, status=422)
    return redirect(
        url_for(
            "staff.settings_page",
            activity_id=activity.public_id,
            t=actor.token(),
            saved=",".join(result.changed),
        ),
        code=303,
    )
