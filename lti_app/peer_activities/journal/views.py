"""Pages and actions of the journal activity (blueprint ``journal``): entries and the
action plan. Check-ins (with the signed e-mail link), observation requests and the
learner's export and deletion are in ``followup_views``; the instructor's actions are
in ``staff_views``; all on the same blueprint (see ``routing``). The activity page
shows the panels (see ``panel``); actions answer with a redirect back to it, or
re-render it with the reason.

Every view is scoped with ``course_activity``: the activity must belong to the
caller's platform, deployment and course, and be a journal; anything else is a
404. Forms carry the session token ``t``, which is also their CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, request
from marshmallow import ValidationError

from lti_app.actor.session import Actor, require_actor
from lti_app.peer_activities.journal import completion, schemas, settings, visibility
from lti_app.peer_activities.journal.errors import JournalError
from lti_app.peer_activities.journal.models import JournalEntry
from lti_app.peer_activities.journal.routing import back, bp, learner, messages, refused, scope
from lti_app.peer_activities.journal.services import entries, observations, plans
from lti_app.peer_activities.models import Activity

# -- entries ---------------------------------------------------------------------------------


@bp.post("/<activity_id>/entries")
@require_actor()
def create_entry(activity_id: str) -> Any:
    """A learner writes a prompted entry (sanitised; private unless shared)."""
    actor, activity, course = learner(activity_id)
    try:
        entries.save_entry(
            activity, course, actor.person, schemas.entry_input(activity, request.form)
        )
    except JournalError as exc:
        return refused(actor, activity, str(exc), exc.status)
    completion.check_completion(activity, actor.person)
    return back(actor, activity, done="Entry saved.")


def _own_entry(activity: Activity, actor: Actor, entry_id: str) -> JournalEntry:
    entry = entries.entry_of(activity, actor.person, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.get("/<activity_id>/entries/<entry_id>/edit")
@require_actor()
def edit_entry(activity_id: str, entry_id: str) -> Any:
    """The author edits their entry."""
    actor, activity, course = learner(activity_id)
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
    actor, activity, course = learner(activity_id)
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
    return back(actor, activity, done="Changes to the entry saved.")


@bp.post("/<activity_id>/entries/<entry_id>/share")
@require_actor()
def share_entry(activity_id: str, entry_id: str) -> Any:
    """Share an entry with the author's group, or make it private again."""
    actor, activity, _ = learner(activity_id)
    entries.set_shared(
        _own_entry(activity, actor, entry_id), request.form.get("shared") in ("1", "on", "yes")
    )
    return back(actor, activity, done="Sharing of the entry updated.")


@bp.post("/<activity_id>/entries/<entry_id>/delete")
@require_actor()
def delete_entry(activity_id: str, entry_id: str) -> Any:
    """The author removes an entry."""
    actor, activity, _ = learner(activity_id)
    entries.delete_entry(_own_entry(activity, actor, entry_id))
    return back(actor, activity, done="Entry deleted.")


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
    actor, activity, _ = learner(activity_id)
    try:
        data = schemas.item_input(request.form)
        plans.add_item(activity, actor.person, **data)
    except ValidationError as exc:
        return refused(actor, activity, messages(exc), 422)
    except JournalError as exc:
        return refused(actor, activity, str(exc), exc.status)
    completion.check_completion(activity, actor.person)
    return back(actor, activity, done="Action plan item added.")


@bp.post("/<activity_id>/plan/<item_id>")
@require_actor()
def update_item(activity_id: str, item_id: str) -> Any:
    """Change what an action plan item says (its status history is kept apart)."""
    actor, activity, _ = learner(activity_id)
    item = _own_item(activity, actor, item_id)
    try:
        plans.update_item(item, **schemas.item_input(request.form))
    except ValidationError as exc:
        return refused(actor, activity, messages(exc), 422)
    return back(actor, activity, done="Action plan item saved.")


@bp.post("/<activity_id>/plan/<item_id>/status")
@require_actor()
def item_status(activity_id: str, item_id: str) -> Any:
    """Record where an action plan item stands now (kept in its history)."""
    actor, activity, _ = learner(activity_id)
    item = _own_item(activity, actor, item_id)
    try:
        plans.set_status(
            item, request.form.get("status", ""), request.form.get("note", "").strip()[:2000]
        )
    except JournalError as exc:
        return refused(actor, activity, str(exc), exc.status)
    return back(actor, activity, done="Status recorded.")


@bp.post("/<activity_id>/plan/<item_id>/delete")
@require_actor()
def delete_item(activity_id: str, item_id: str) -> Any:
    """Remove an action plan item (with its history)."""
    actor, activity, _ = learner(activity_id)
    plans.delete_item(_own_item(activity, actor, item_id))
    return back(actor, activity, done="Action plan item removed.")


@bp.post("/<activity_id>/plan/<item_id>/observe")
@require_actor()
def request_observation(activity_id: str, item_id: str) -> Any:
    """Ask a mentor or the named manager to confirm they saw the item applied."""
    actor, activity, course = learner(activity_id)
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
        return refused(actor, activity, str(exc), exc.status)
    return back(actor, activity, done="Request sent.")
