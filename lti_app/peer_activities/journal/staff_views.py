"""The instructor's journal actions (blueprint ``journal``, see ``routing``): the
settings (prompts, check-in days and their anchor, follow-up closing, completion
rule), reopening a learner's completion, and the raw check-in answers as CSV.
Staff only; scoped like every journal view."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, request, url_for
from sqlalchemy import select

from lti_app.actor.session import require_actor
from lti_app.courses.models import Enrolment, Person
from lti_app.extensions import db
from lti_app.peer_activities import registry, settings_edit
from lti_app.peer_activities.journal import completion, figures
from lti_app.peer_activities.journal.routing import back, bp, scope
from lti_app.peer_activities.page import render_settings
from lti_app.peer_activities.settings_form import ActivityInputError

# -- staff -----------------------------------------------------------------------------------


@bp.post("/<activity_id>/settings")
@require_actor(staff=True)
def save_settings(activity_id: str) -> Any:
    """Prompts, check-in days, their anchor, follow-up closing and the completion
    rule (the activity's Settings page does the same with the title); unanswered
    check-ins are rescheduled. Refused: the Settings page with everything typed."""
    actor, activity, _ = scope(activity_id)
    kind = registry.get(activity.activity_type)
    assert kind is not None
    try:
        result = settings_edit.edit_settings(activity, kind, request.form, with_title=False)
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


@bp.post("/<activity_id>/learners/<person_id>/reopen")
@require_actor(staff=True)
def reopen(activity_id: str, person_id: str) -> Any:
    """Reopen a learner's completion: their unanswered check-ins are cancelled and
    scheduled again when they complete again."""
    actor, activity, course = scope(activity_id)
    person = db.session.scalar(
        select(Person)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(Person.public_id == person_id, Enrolment.course_id == course.id)
    )
    if person is None:
        abort(404)
    completion.reopen(activity, person)
    return back(actor, activity, done="Completion reopened.")


@bp.get("/<activity_id>/answers.csv")
@require_actor(staff=True)
def answers_csv(activity_id: str) -> Any:
    """The raw check-in answers the transfer figures are computed from."""
    _, activity, _ = scope(activity_id)
    return Response(
        figures.answers_csv(activity),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="checkins-{activity.public_id}.csv"',
            "Cache-Control": "no-store",
        },
    )
