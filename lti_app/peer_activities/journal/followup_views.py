"""Follow-up pages and actions of the journal activity (blueprint ``journal``, see
``routing``; entries and the action plan are in ``views``): check-ins (with the
signed e-mail link), observation requests to mentors and managers, and the
learner's export and deletion of their own data.

Every view is scoped with ``course_activity`` (the signed link builds the session
itself); forms carry the session token ``t``, which is also their CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lti_app.actor.session import Actor, issue_token, require_actor
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.domain.roles import RoleSet
from lti_app.extensions import db
from lti_app.lms.models import Deployment, Registration
from lti_app.peer_activities.journal import clock, panel, schemas
from lti_app.peer_activities.journal.errors import JournalError
from lti_app.peer_activities.journal.routing import back, bp, learner, messages, scope
from lti_app.peer_activities.journal.services import (
    checkins,
    entries,
    observations,
    plans,
    privacy,
    schedule,
)
from lti_app.peer_activities.models import Activity

# -- check-ins -------------------------------------------------------------------------------


def _checkin_page(
    actor: Actor,
    activity: Activity,
    checkin: Any,
    error: str = "",
    form: Any = None,
    status: int = 200,
) -> Any:
    return render_template(
        "journal/checkin.html",
        actor=actor,
        activity=activity,
        checkin=checkin,
        due=schedule.is_due(checkin),
        closed=schedule.is_closed(activity),
        error=error,
        form=form if form is not None else MultiDict(),
        **panel.checkin_form_context(activity, actor.person),
    ), status


@bp.get("/<activity_id>/checkins/<checkin_id>")
@require_actor()
def checkin(activity_id: str, checkin_id: str) -> Any:
    """The learner's check-in: the form when due, their answer once given."""
    actor, activity, _ = learner(activity_id)
    found = checkins.checkin_of(activity, actor.person, checkin_id)
    if found is None:
        abort(404)
    return _checkin_page(actor, activity, found)


@bp.post("/<activity_id>/checkins/<checkin_id>")
@require_actor()
def answer_checkin(activity_id: str, checkin_id: str) -> Any:
    """Answer a due check-in (once; never graded)."""
    actor, activity, _ = learner(activity_id)
    found = checkins.checkin_of(activity, actor.person, checkin_id)
    if found is None:
        abort(404)
    try:
        items = plans.items_of(activity, actor.person.id)
        data = schemas.checkin_input(request.form, items)
        checkins.answer_checkin(activity, actor.person, found, data, items)
    except ValidationError as exc:
        return _checkin_page(actor, activity, found, messages(exc), request.form, 422)
    except JournalError as exc:
        return _checkin_page(actor, activity, found, str(exc), request.form, exc.status)
    return back(actor, activity, done="Your check-in answer is saved.")


@bp.get("/link/<token>")
def checkin_link(token: str) -> Any:
    """The signed link of a reminder e-mail: a session for that learner in that
    course, landing on that check-in. Expired or altered links explain themselves."""
    found = schedule.read_link(token)
    activity = db.session.get(Activity, found.activity_id) if found is not None else None
    if (
        found is None
        or activity is None
        or activity.course_id is None
        or not panel.enabled(activity)
    ):
        return render_template("journal/link_expired.html"), 410
    reg = db.session.get(Registration, activity.registration_id)
    dep = db.session.get(Deployment, activity.deployment_id)
    course = db.session.get(Course, activity.course_id)
    person = db.session.get(Person, found.person_id)
    roles = db.session.scalar(
        select(Enrolment.roles).where(
            Enrolment.course_id == activity.course_id, Enrolment.person_id == found.person_id
        )
    )
    if (
        reg is None
        or dep is None
        or course is None
        or person is None
        or roles is None
        or not reg.is_active
        or not dep.is_active
    ):
        return render_template("journal/link_expired.html"), 410
    token = issue_token(reg, dep, person, course, RoleSet(frozenset(roles)))
    return redirect(
        url_for(
            "journal.checkin", activity_id=activity.public_id, checkin_id=found.public_id, t=token
        ),
        code=303,
    )


# -- observation (mentors, managers) ---------------------------------------------------------


@bp.get("/<activity_id>/observations")
@require_actor()
def observations_page(activity_id: str) -> Any:
    """Requests to the caller to confirm an observed application: only the action
    item and the learner's note."""
    actor, activity, course = scope(activity_id)
    return render_template(
        "journal/observations.html",
        actor=actor,
        activity=activity,
        requests=observations.requests_for(course, actor.person),
        error="",
    )


@bp.post("/<activity_id>/observations/<observation_id>")
@require_actor()
def answer_observation(activity_id: str, observation_id: str) -> Any:
    """Confirm or decline an observed application, with a comment."""
    actor, activity, course = scope(activity_id)
    try:
        observations.answer_observation(
            course,
            actor.person,
            observation_id,
            confirm=request.form.get("decision") == "confirm",
            comment=request.form.get("comment", "").strip()[:2000],
        )
    except JournalError as exc:
        if exc.status == 404:
            abort(404)
        return render_template(
            "journal/observations.html",
            actor=actor,
            activity=activity,
            requests=observations.requests_for(course, actor.person),
            error=str(exc),
        ), exc.status
    return redirect(
        url_for("journal.observations_page", activity_id=activity.public_id, t=actor.token()),
        code=303,
    )


# -- the learner's own data ------------------------------------------------------------------


@bp.get("/<activity_id>/export")
@require_actor()
def export(activity_id: str) -> Any:
    """Download the learner's own journal as one HTML file."""
    actor, activity, course = learner(activity_id)
    own = privacy.own_journal(activity, actor.person)
    page = render_template(
        "journal/export.html",
        actor=actor,
        activity=activity,
        course=course,
        own=own,
        titles={a.id: a.title for a in entries.course_activities(course)},
        applied=checkins.APPLIED_LABELS,
        status_labels=plans.STATUS_LABELS,
        exported_at=clock.now(),
    )
    return Response(
        page,
        mimetype="text/html",
        headers={
            "Content-Disposition": 'attachment; filename="my-journal.html"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/<activity_id>/delete")
@require_actor()
def confirm_delete(activity_id: str) -> Any:
    """Ask the learner to confirm deleting their journal data."""
    actor, activity, _ = learner(activity_id)
    return render_template("journal/delete.html", actor=actor, activity=activity, error="")


@bp.post("/<activity_id>/delete")
@require_actor()
def delete_data(activity_id: str) -> Any:
    """Delete the learner's journal data once they typed DELETE."""
    actor, activity, _ = learner(activity_id)
    if request.form.get("confirm", "").strip().upper() != "DELETE":
        return render_template(
            "journal/delete.html", actor=actor, activity=activity, error="Type DELETE to confirm."
        ), 422
    privacy.delete_own_data(activity, actor.person)
    return back(actor, activity, done="Your journal data is deleted.")
