"""Pages and actions of the journal activity (blueprint ``journal``): entries, the
action plan, check-ins (with the signed e-mail link), observation requests, and
the learner's export and deletion; the instructor's actions are in
``staff_views``, on the same blueprint. The activity page shows the panels (see
``panel``); actions answer with a redirect back to it, or re-render it with the
reason.

Every view is scoped with ``course_activity``: the activity must belong to the
caller's platform, deployment and course, and be a journal; anything else is a
404. Forms carry the session token ``t``, which is also their CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lti_app.actor.session import Actor, issue_token, require_actor
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.domain.roles import RoleSet
from lti_app.extensions import db
from lti_app.lms.models import Deployment, Registration
from lti_app.peer_activities.journal import clock, completion, panel, schemas, settings, visibility
from lti_app.peer_activities.journal.errors import JournalError
from lti_app.peer_activities.journal.models import JournalEntry
from lti_app.peer_activities.journal.routing import back, bp, scope
from lti_app.peer_activities.journal.services import (
    checkins,
    entries,
    observations,
    plans,
    privacy,
    schedule,
)
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.page import render_activity


def _learner(activity_id: str) -> tuple[Actor, Activity, Course]:
    """Scoped, and the caller keeps a journal here (a learner, not staff)."""
    actor, activity, course = scope(activity_id)
    if actor.is_staff or not actor.roles.is_learner:
        abort(403)
    return actor, activity, course


def _refused(actor: Actor, activity: Activity, message: str, status: int) -> Any:
    g.journal_flash = {"error": message}
    return render_activity(actor, activity), status


def _messages(exc: ValidationError) -> str:
    found = exc.normalized_messages()  # type: ignore[no-untyped-call]
    parts: list[str] = []
    for value in found.values():
        parts.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return " ".join(parts)


# -- entries ---------------------------------------------------------------------------------


@bp.post("/<activity_id>/entries")
@require_actor()
def create_entry(activity_id: str) -> Any:
    """A learner writes a prompted entry (sanitised; private unless shared)."""
    actor, activity, course = _learner(activity_id)
    try:
        entries.save_entry(
            activity, course, actor.person, schemas.entry_input(activity, request.form)
        )
    except JournalError as exc:
        return _refused(actor, activity, str(exc), exc.status)
    completion.check_completion(activity, actor.person)
    return back(actor, activity)


def _own_entry(activity: Activity, actor: Actor, entry_id: str) -> JournalEntry:
    entry = entries.entry_of(activity, actor.person, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.get("/<activity_id>/entries/<entry_id>/edit")
@require_actor()
def edit_entry(activity_id: str, entry_id: str) -> Any:
    """The author edits their entry."""
    actor, activity, course = _learner(activity_id)
    entry = _own_entry(activity, actor, entry_id)
    return render_template(
        "journal/entry_edit.html",
        actor=actor,
        activity=activity,
        entry=entry,
        prompts=settings.prompts(activity),
        activities=entries.course_activities(course),
        error="",
    )


@bp.post("/<activity_id>/entries/<entry_id>")
@require_actor()
def update_entry(activity_id: str, entry_id: str) -> Any:
    """Save the author's changes to an entry."""
    actor, activity, course = _learner(activity_id)
    entry = _own_entry(activity, actor, entry_id)
    try:
        entries.save_entry(
            activity, course, actor.person, schemas.entry_input(activity, request.form), entry
        )
    except JournalError as exc:
        return render_template(
            "journal/entry_edit.html",
            actor=actor,
            activity=activity,
            entry=entry,
            prompts=settings.prompts(activity),
            activities=entries.course_activities(course),
            error=str(exc),
        ), exc.status
    completion.check_completion(activity, actor.person)
    return back(actor, activity)


@bp.post("/<activity_id>/entries/<entry_id>/share")
@require_actor()
def share_entry(activity_id: str, entry_id: str) -> Any:
    """Share an entry with the author's group, or make it private again."""
    actor, activity, _ = _learner(activity_id)
    entries.set_shared(
        _own_entry(activity, actor, entry_id), request.form.get("shared") in ("1", "on", "yes")
    )
    return back(actor, activity)


@bp.post("/<activity_id>/entries/<entry_id>/delete")
@require_actor()
def delete_entry(activity_id: str, entry_id: str) -> Any:
    """The author removes an entry."""
    actor, activity, _ = _learner(activity_id)
    entries.delete_entry(_own_entry(activity, actor, entry_id))
    return back(actor, activity)


@bp.get("/<activity_id>/entries.json")
@require_actor()
def entries_json(activity_id: str) -> Any:
    """The entries the caller may read (``q`` searches them), as JSON."""
    actor, activity, _ = scope(activity_id)
    query = request.args.get("q", "").strip()[:200]
    found = visibility.search_entries(actor, activity, query)
    own, peer = schemas.EntryOut(), schemas.SharedEntryOut()
    return jsonify(
        {
            "entries": [
                (own if actor.is_staff or e.person_id == actor.person.id else peer).dump(e)
                for e in found
            ]
        }
    )


@bp.get("/<activity_id>/search")
@require_actor()
def search(activity_id: str) -> Any:
    """Search the entries the caller may read."""
    actor, activity, course = scope(activity_id)
    query = request.args.get("q", "").strip()[:200]
    found = visibility.search_entries(actor, activity, query) if query else []
    return render_template(
        "journal/search.html",
        actor=actor,
        activity=activity,
        query=query,
        found=found,
        titles={a.id: a.title for a in entries.course_activities(course)},
    )


# -- action plan -----------------------------------------------------------------------------


def _own_item(activity: Activity, actor: Actor, item_id: str) -> Any:
    item = plans.item_of(activity, actor.person, item_id)
    if item is None:
        abort(404)
    return item


@bp.post("/<activity_id>/plan")
@require_actor()
def add_item(activity_id: str) -> Any:
    """Add an action plan item: what, by when, how I will know."""
    actor, activity, _ = _learner(activity_id)
    try:
        data = schemas.item_input(request.form)
        plans.add_item(activity, actor.person, **data)
    except ValidationError as exc:
        return _refused(actor, activity, _messages(exc), 422)
    except JournalError as exc:
        return _refused(actor, activity, str(exc), exc.status)
    completion.check_completion(activity, actor.person)
    return back(actor, activity)


@bp.post("/<activity_id>/plan/<item_id>")
@require_actor()
def update_item(activity_id: str, item_id: str) -> Any:
    """Change what an action plan item says (its status history is kept apart)."""
    actor, activity, _ = _learner(activity_id)
    item = _own_item(activity, actor, item_id)
    try:
        plans.update_item(item, **schemas.item_input(request.form))
    except ValidationError as exc:
        return _refused(actor, activity, _messages(exc), 422)
    return back(actor, activity)


@bp.post("/<activity_id>/plan/<item_id>/status")
@require_actor()
def item_status(activity_id: str, item_id: str) -> Any:
    """Record where an action plan item stands now (kept in its history)."""
    actor, activity, _ = _learner(activity_id)
    item = _own_item(activity, actor, item_id)
    try:
        plans.set_status(
            item, request.form.get("status", ""), request.form.get("note", "").strip()[:2000]
        )
    except JournalError as exc:
        return _refused(actor, activity, str(exc), exc.status)
    return back(actor, activity)


@bp.post("/<activity_id>/plan/<item_id>/delete")
@require_actor()
def delete_item(activity_id: str, item_id: str) -> Any:
    """Remove an action plan item (with its history)."""
    actor, activity, _ = _learner(activity_id)
    plans.delete_item(_own_item(activity, actor, item_id))
    return back(actor, activity)


@bp.post("/<activity_id>/plan/<item_id>/observe")
@require_actor()
def request_observation(activity_id: str, item_id: str) -> Any:
    """Ask a mentor or the named manager to confirm they saw the item applied."""
    actor, activity, course = _learner(activity_id)
    item = _own_item(activity, actor, item_id)
    try:
        observations.request_observation(
            course,
            actor.person,
            item,
            request.form.get("observer", ""),
            request.form.get("note", "").strip()[:2000],
        )
    except JournalError as exc:
        return _refused(actor, activity, str(exc), exc.status)
    return back(actor, activity)


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
    actor, activity, _ = _learner(activity_id)
    found = checkins.checkin_of(activity, actor.person, checkin_id)
    if found is None:
        abort(404)
    return _checkin_page(actor, activity, found)


@bp.post("/<activity_id>/checkins/<checkin_id>")
@require_actor()
def answer_checkin(activity_id: str, checkin_id: str) -> Any:
    """Answer a due check-in (once; never graded)."""
    actor, activity, _ = _learner(activity_id)
    found = checkins.checkin_of(activity, actor.person, checkin_id)
    if found is None:
        abort(404)
    try:
        items = plans.items_of(activity, actor.person.id)
        data = schemas.checkin_input(request.form, items)
        checkins.answer_checkin(activity, actor.person, found, data, items)
    except ValidationError as exc:
        return _checkin_page(actor, activity, found, _messages(exc), request.form, 422)
    except JournalError as exc:
        return _checkin_page(actor, activity, found, str(exc), request.form, exc.status)
    return back(actor, activity)


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
    actor, activity, course = _learner(activity_id)
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
    actor, activity, _ = _learner(activity_id)
    return render_template("journal/delete.html", actor=actor, activity=activity, error="")


@bp.post("/<activity_id>/delete")
@require_actor()
def delete_data(activity_id: str) -> Any:
    """Delete the learner's journal data once they typed DELETE."""
    actor, activity, _ = _learner(activity_id)
    if request.form.get("confirm", "").strip().upper() != "DELETE":
        return render_template(
            "journal/delete.html", actor=actor, activity=activity, error="Type DELETE to confirm."
        ), 422
    privacy.delete_own_data(activity, actor.person)
    return back(actor, activity)
