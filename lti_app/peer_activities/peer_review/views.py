"""Peer-review pages and actions for learners: submitting work (alone or for a
group), "next review" (just-in-time allocation), the review form, rating
feedback, a submission's file and the feedback received. Actions answer with a
redirect back to the activity page, or re-render it with the reason. The staff
pages are in ``staff_views``, the short-of-reviews remedies in ``remedy_views``
(same blueprint).

Every view is scoped: the activity must belong to the caller's platform,
deployment and course, and be a peer review; anything else is a 404. Reviews are
looked up through their reviewer or author, so another person's review is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from lti_app.actor.session import Actor, require_actor
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import (
    grading,
    panel,
    passage_comments,
    phases,
    schemas,
    uploads,
)
from lti_app.peer_activities.peer_review import reviews as rv
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.models import PeerReviewReview
from lti_app.peer_activities.peer_review.routing import (
    back,
    bp,
    refused,
    scope,
    validation_message,
)
from lti_app.peer_activities.peer_review.services import calibrating
from lti_app.peer_activities.peer_review.submissions import PeerReviewError


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
        return refused(actor, activity, validation_message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    grading.check_completion(activity, [actor.person])
    return back(actor, activity, done="Your work is handed in.")


@bp.post("/<activity_id>/revision")
@require_actor()
def revise(activity_id: str) -> Any:
    """Hand in a revised version after feedback (if the activity allows it)."""
    actor, activity = scope(activity_id)
    try:
        subs.revise_work(activity, actor.person, request.form.get("body", "")[:50000])
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return back(actor, activity, done="Your revised version is handed in.")


@bp.post("/<activity_id>/reviews/next")
@require_actor()
def next_review(activity_id: str) -> Any:
    """Open the reviewer's current review, or lease the submission that most needs one."""
    actor, activity = scope(activity_id)
    if not actor.is_staff and calibrating.gate(activity, actor.person):  # issue 20, row 1
        return redirect(
            url_for("peer_review.calibration", activity_id=activity.public_id, t=actor.token()),
            code=303,
        )
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
        kept_passages=passage_comments.kept(review, form),
        #: Why the phase set by hand keeps a learner from reviewing now ("" if it does not).
        closed_why="" if actor.is_staff else phases.refusal(activity.settings, phases.REVIEW_WORK),
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
        anchored = passage_comments.check(
            found, passage_comments.from_form(request.form), passage_comments.quoted(request.form)
        )
        rv.submit_review(
            activity,
            found,
            points,
            request.form.get("comment", ""),
            schemas.criterion_comments(request.form, criteria),
            staff=actor.is_staff,
        )
        passage_comments.save(found, anchored)
    except ValidationError as exc:
        return _review_form(actor, activity, found, validation_message(exc), request.form, 422)
    except PeerReviewError as exc:
        return _review_form(actor, activity, found, str(exc), request.form, 422)
    grading.check_completion(activity, [actor.person, *subs.people_of(activity, found.submission)])
    return back(actor, activity, done="Review submitted. Thank you.")


@bp.post("/<activity_id>/feedback/<review_id>/rating")
@require_actor()
def rate(activity_id: str, review_id: str) -> Any:
    """The author rates how helpful a review of their work was."""
    actor, activity = scope(activity_id)
    found = rv.review_for_author(activity, actor.person, review_id)
    if found is None or not panel.feedback_revealed(activity, found.submission):
        abort(404)  # a review the author may not see yet does not exist for them
    try:
        data = schemas.RatingInput().load(
            {"stars": request.form.get("stars", ""), "comment": request.form.get("comment", "")}
        )
        rv.rate_review(found, data["stars"], data["comment"], activity.settings)
    except ValidationError as exc:
        return refused(actor, activity, validation_message(exc))
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    grading.check_completion(activity, subs.people_of(activity, found.submission))
    return back(actor, activity, done="Your rating is saved.")


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
