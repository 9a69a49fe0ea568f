"""Peer-review staff pages and actions: the rubric and the rubric library, the
running settings, batch allocation, sending grades, grade overrides, "move on",
moderating a submission and the CSV export. Same blueprint and scoping as
``views`` (the learners' side): the activity must belong to the caller's
platform, deployment and course, and be a peer review; anything else is a 404,
and so is a library rubric of another platform or deployment or a person who is
not a learner of the course. Every route here is staff only.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from lti_app.actor.session import require_actor
from lti_app.courses.models import Person
from lti_app.peer_activities import services as activities
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import grading, panel, rubrics, schemas
from lti_app.peer_activities.peer_review import reviews as rv
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.routing import (
    back,
    bp,
    refused,
    scope,
    validation_message,
)
from lti_app.peer_activities.peer_review.submissions import PeerReviewError
from lti_app.peer_activities.services import ActivityInputError


def _learner(activity: Activity, person_id: str) -> Person:
    person = next((p for p in subs.learners(activity) if p.public_id == person_id), None)
    if person is None:
        abort(404)
    return person


@bp.post("/<activity_id>/rubric")
@require_actor(staff=True)
def save_rubric(activity_id: str) -> Any:
    """Replace the rubric (one criterion a line), or take a library rubric, or copy
    another activity's."""
    actor, activity = scope(activity_id)
    try:
        source_id = request.form.get("copy_from", "").strip()
        library_id = request.form.get("library", "").strip()
        if library_id:
            entry = rubrics.library_entry(activity, library_id)
            if entry is None:
                abort(404)
            rubrics.apply_from_library(activity, entry)
        elif source_id:
            source = activities.get_activity(actor.registration.id, actor.deployment.id, source_id)
            if (
                source is None
                or source.course_id != activity.course_id
                or not panel.enabled(source)
            ):
                abort(404)
            subs.copy_rubric(activity, source)
        else:
            subs.save_rubric(activity, schemas.rubric_input(request.form.get("rubric", "")))
    except ValidationError as exc:
        return refused(actor, activity, validation_message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity, done="Rubric saved.", anchor="pr-rubric")


@bp.post("/<activity_id>/library")
@require_actor(staff=True)
def save_to_library(activity_id: str) -> Any:
    """Keep this activity's rubric in the library, under a name, for reuse."""
    actor, activity = scope(activity_id)
    try:
        data = schemas.LibrarySaveInput().load({"name": request.form.get("name", "").strip()})
        rubrics.save_to_library(activity, data["name"], actor.person)
    except ValidationError as exc:
        return refused(actor, activity, validation_message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity, done="Rubric saved to the library.", anchor="pr-rubric")


@bp.post("/<activity_id>/library/<rubric_id>/delete")
@require_actor(staff=True)
def delete_from_library(activity_id: str, rubric_id: str) -> Any:
    """Remove a saved rubric from the library (activities using it keep theirs)."""
    actor, activity = scope(activity_id)
    if not rubrics.delete_from_library(activity, rubric_id):
        abort(404)
    return back(actor, activity, done="Rubric removed from the library.", anchor="pr-rubric")


@bp.post("/<activity_id>/settings")
@require_actor(staff=True)
def save_settings(activity_id: str) -> Any:
    """Change the phases' due dates and the grading options, or (a form of its own)
    group submissions."""
    actor, activity = scope(activity_id)
    form = request.form
    changes: dict[str, Any]
    if form.get("group_settings") == "1":  # the group submissions form
        changes = {
            "group_submissions": form.get("group_submissions") == "1",
            "groups_from": form.get("groups_from", "").strip() or None,
        }
    else:
        changes = {
            k: form.get(k, "").strip() or None
            for k in ("submission_due", "review_due", "feedback_due")
        }
        changes.update(
            method=form.get("method", "mean"),
            rate_feedback=form.get("rate_feedback") == "1",
            accuracy_weighting=form.get("accuracy_weighting") == "1",
            allow_revision=form.get("allow_revision") == "1",
            email_reminders=form.get("email_reminders") == "1",
        )
    try:
        subs.update_settings(activity, changes)
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    except ActivityInputError as exc:
        return refused(
            actor,
            activity,
            " ".join(
                f"{k.replace('_', ' ')}: {' '.join(map(str, v))}" for k, v in exc.messages.items()
            ),
        )
    anchor = "pr-groups" if form.get("group_settings") == "1" else "peer-review"
    return back(actor, activity, done="Settings saved.", anchor=anchor)


@bp.post("/<activity_id>/allocate")
@require_actor(staff=True)
def allocate(activity_id: str) -> Any:
    """Batch mode: allocate every submission's k reviewers now, balanced."""
    actor, activity = scope(activity_id)
    try:
        rv.allocate_all(activity)
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity, done="Reviewers allocated.")


@bp.post("/<activity_id>/grades/publish")
@require_actor(staff=True)
def publish(activity_id: str) -> Any:
    """Sending grades is confirmed first (who gets what) and runs in the background:
    go to that page."""
    actor, activity = scope(activity_id)
    return redirect(
        url_for("staff.grades_send_confirm", activity_id=activity.public_id, t=actor.token()),
        code=303,
    )


@bp.post("/<activity_id>/people/<person_id>/override")
@require_actor(staff=True)
def override(activity_id: str, person_id: str) -> Any:
    """Replace a learner's computed grade, with a reason."""
    actor, activity = scope(activity_id)
    person = _learner(activity, person_id)
    try:
        data = schemas.OverrideInput().load(
            {k: request.form.get(k, "").strip() for k in ("kind", "percent", "reason")}
        )
        grading.override_grade(activity, person, actor.person, **data)
    except ValidationError as exc:
        return refused(actor, activity, validation_message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity, done="Grade override saved.")


@bp.post("/<activity_id>/people/<person_id>/move-on")
@require_actor(staff=True)
def move_on(activity_id: str, person_id: str) -> Any:
    """Move a stuck learner on (counts as complete), with a reason."""
    actor, activity = scope(activity_id)
    person = _learner(activity, person_id)
    try:
        data = schemas.ReasonInput().load({"reason": request.form.get("reason", "").strip()})
        grading.move_on(activity, person, actor.person, data["reason"])
    except ValidationError as exc:
        return refused(actor, activity, validation_message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity, done="Learner moved on.")


@bp.get("/<activity_id>/submissions/<submission_id>")
@require_actor(staff=True)
def moderate(activity_id: str, submission_id: str) -> Any:
    """Staff read a submission and every review of it, with names, to moderate."""
    actor, activity = scope(activity_id)
    sub = subs.submission_by_id(activity, submission_id)
    if sub is None:
        abort(404)
    return render_template(
        "peer_review/moderate.html",
        actor=actor,
        activity=activity,
        **panel.moderation(activity, sub),
    )


@bp.get("/<activity_id>/export.csv")
@require_actor(staff=True)
def export(activity_id: str) -> Any:
    """Every rating and comment, as CSV."""
    _, activity = scope(activity_id)
    return Response(
        grading.export_csv(activity),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="peer-review-{activity.public_id}.csv"'
        },
    )
