"""Peer-review pages and actions: submitting work (alone or for a group), "next
review" (just-in-time allocation), the review form, rating feedback (learners);
the rubric and the rubric library, progress, grade overrides, "move on" and the
CSV export (staff). Actions answer with a
redirect back to the activity page, or re-render it with the reason.

Every view is scoped: the activity must belong to the caller's platform,
deployment and course, and be a peer review; anything else is a 404, and so is
a library rubric of another platform or deployment. Reviews are
looked up through their reviewer or author, so another person's review is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from marshmallow import ValidationError

from lti_app.actor.session import Actor, require_actor
from lti_app.courses.models import Person
from lti_app.peer_activities import services as activities
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import grading, panel, rubrics, schemas, uploads
from lti_app.peer_activities.peer_review import reviews as rv
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.models import PeerReviewReview
from lti_app.peer_activities.peer_review.routing import back, bp, refused, scope
from lti_app.peer_activities.peer_review.submissions import PeerReviewError
from lti_app.peer_activities.services import ActivityInputError


def _learner(activity: Activity, person_id: str) -> Person:
    person = next((p for p in subs.learners(activity) if p.public_id == person_id), None)
    if person is None:
        abort(404)
    return person


def _message(exc: ValidationError) -> str:
    found = exc.normalized_messages()  # type: ignore[no-untyped-call]
    parts: list[str] = []
    for value in found.values():
        parts.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    return " ".join(parts)


# -- learners ----------------------------------------------------------------------------


@bp.post("/<activity_id>/submission")
@require_actor()
def submit(activity_id: str) -> Any:
    """Save the learner's submission (text sanitised, link checked)."""
    actor, activity = scope(activity_id)
    try:
        data = schemas.submission_input(request.form)
        upload = request.files.get("file")
        has_file = upload is not None and bool(upload.filename)
        sub = subs.submit_work(
            activity, actor.person, body=data["body"], link_url=data["link_url"], has_file=has_file
        )
        if upload is not None and has_file:
            uploads.attach(sub, upload.filename or "", upload.stream)
    except ValidationError as exc:
        return refused(actor, activity, _message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    grading.check_completion(activity, [actor.person])
    return back(actor, activity)


@bp.post("/<activity_id>/revision")
@require_actor()
def revise(activity_id: str) -> Any:
    """Hand in a revised version after feedback (if the activity allows it)."""
    actor, activity = scope(activity_id)
    try:
        subs.revise_work(activity, actor.person, request.form.get("body", "")[:50000])
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity)


@bp.post("/<activity_id>/reviews/next")
@require_actor()
def next_review(activity_id: str) -> Any:
    """Open the reviewer's current review, or lease the submission that most needs one."""
    actor, activity = scope(activity_id)
    try:
        review = rv.next_review(
            activity,
            actor.person,
            staff=actor.is_staff,
            volunteer=request.form.get("volunteer") == "1",
        )
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc), 409)
    return redirect(
        url_for(
            "peer_review.review",
            activity_id=activity.public_id,
            review_id=review.public_id,
            t=actor.token(),
        ),
        code=303,
    )


def _own_review(actor: Actor, activity: Activity, review_id: str) -> PeerReviewReview:
    review = rv.review_for_reviewer(activity, actor.person, review_id)
    if review is None:
        abort(404)
    return review


def _review_form(
    actor: Actor,
    activity: Activity,
    review: PeerReviewReview,
    error: str = "",
    form: Any = None,
    status: int = 200,
) -> Any:
    return render_template(
        "peer_review/review.html",
        actor=actor,
        activity=activity,
        error=error,
        form=form or {},
        **panel.review_page(activity, review),
    ), status


@bp.get("/<activity_id>/reviews/<review_id>")
@require_actor()
def review(activity_id: str, review_id: str) -> Any:
    """The review task: the work and the rubric (only for its allocated reviewer)."""
    actor, activity = scope(activity_id)
    return _review_form(actor, activity, _own_review(actor, activity, review_id))


@bp.post("/<activity_id>/reviews/<review_id>")
@require_actor()
def submit_review(activity_id: str, review_id: str) -> Any:
    """Save the rubric scores and comment (out-of-range scores refused)."""
    actor, activity = scope(activity_id)
    found = _own_review(actor, activity, review_id)
    criteria = subs.criteria(activity)
    try:
        points = schemas.review_points(request.form, criteria)
        rv.submit_review(
            activity,
            found,
            points,
            request.form.get("comment", ""),
            schemas.criterion_comments(request.form, criteria),
        )
    except ValidationError as exc:
        return _review_form(actor, activity, found, _message(exc), request.form, 422)
    except PeerReviewError as exc:
        return _review_form(actor, activity, found, str(exc), request.form, 422)
    grading.check_completion(activity, [actor.person, *subs.people_of(activity, found.submission)])
    return back(actor, activity)


@bp.post("/<activity_id>/feedback/<review_id>/rating")
@require_actor()
def rate(activity_id: str, review_id: str) -> Any:
    """The author rates how helpful a review of their work was."""
    actor, activity = scope(activity_id)
    found = rv.review_for_author(activity, actor.person, review_id)
    if found is None:
        abort(404)
    try:
        data = schemas.RatingInput().load(
            {"stars": request.form.get("stars", ""), "comment": request.form.get("comment", "")}
        )
        rv.rate_review(found, data["stars"], data["comment"])
    except ValidationError as exc:
        return refused(actor, activity, _message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    grading.check_completion(activity, subs.people_of(activity, found.submission))
    return back(actor, activity)


@bp.get("/<activity_id>/submissions/<submission_id>/file")
@require_actor()
def download(activity_id: str, submission_id: str) -> Any:
    """A submission's file, as an attachment, for its author, its allocated reviewers
    and staff only. Under double-blind a reviewer gets a neutral file name."""
    actor, activity = scope(activity_id)
    sub = subs.submission_by_id(activity, submission_id)
    if sub is None:
        abort(404)
    is_author = subs.own_submission_id(activity, actor.person) == sub.id
    is_reviewer = rv.is_reviewer_of(sub, actor.person)
    if not (is_author or is_reviewer or actor.is_staff):
        abort(404)
    path = uploads.path_of(sub)
    if path is None:
        abort(404)
    name = sub.file_name or "submission"
    if is_reviewer and not actor.is_staff and panel.anonymity(activity) == "double_blind":
        name = "submission." + uploads.extension(name)
    # ``name`` went through secure_filename: ASCII letters, digits, "._-" only.
    return Response(
        path.read_bytes(),
        mimetype="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/<activity_id>/feedback.json")
@require_actor()
def feedback_json(activity_id: str) -> Any:
    """The reviews of the caller's own submission, as the author may see them."""
    actor, activity = scope(activity_id)
    return {"reviews": panel.received_reviews(activity, actor)}


# -- staff -------------------------------------------------------------------------------


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
        return refused(actor, activity, _message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity)


@bp.post("/<activity_id>/library")
@require_actor(staff=True)
def save_to_library(activity_id: str) -> Any:
    """Keep this activity's rubric in the library, under a name, for reuse."""
    actor, activity = scope(activity_id)
    try:
        data = schemas.LibrarySaveInput().load({"name": request.form.get("name", "").strip()})
        rubrics.save_to_library(activity, data["name"], actor.person)
    except ValidationError as exc:
        return refused(actor, activity, _message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity)


@bp.post("/<activity_id>/library/<rubric_id>/delete")
@require_actor(staff=True)
def delete_from_library(activity_id: str, rubric_id: str) -> Any:
    """Remove a saved rubric from the library (activities using it keep theirs)."""
    actor, activity = scope(activity_id)
    if not rubrics.delete_from_library(activity, rubric_id):
        abort(404)
    return back(actor, activity)


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
    return back(actor, activity)


@bp.post("/<activity_id>/allocate")
@require_actor(staff=True)
def allocate(activity_id: str) -> Any:
    """Batch mode: allocate every submission's k reviewers now, balanced."""
    actor, activity = scope(activity_id)
    try:
        rv.allocate_all(activity)
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity)


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
        return refused(actor, activity, _message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity)


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
        return refused(actor, activity, _message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity)


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
