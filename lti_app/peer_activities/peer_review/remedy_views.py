"""Staff actions on submissions short of reviews: end the review phase, offer
the short submissions to volunteers, review one as staff, accept fewer reviews.
Each answers with a redirect to the activity page carrying what was done
(``done``/``n``), which the page turns into a fixed sentence."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from lti_app.actor.session import Actor, require_actor
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import grading, phase_control, shortfall
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.routing import bp, refused, scope
from lti_app.peer_activities.peer_review.submissions import PeerReviewError

#: What each action did, as the page says it (``{n}``: how many submissions).
DONE_MESSAGES = {
    "ended": "The review phase is closed. Learners whose remaining reviews nobody can "
    "give them now count as complete.",
    "offered": "Offered {n} submission(s) to volunteers: learners who finished their "
    "reviews now see them first under “Review one more”.",
    "accepted": "Accepted fewer reviews for {n} submission(s): their grades are computed on "
    "the reviews they have and flagged as such.",
    **phase_control.DONE_MESSAGES,  # the phase switched by hand (``phase_views``)
}


def done_message(code: str | None, n: str | None) -> str:
    """The confirmation for ``?done=…&n=…`` (never echoes anything else)."""
    text = DONE_MESSAGES.get(code or "")
    if text is None:
        return ""
    count = int(n) if n and n.isdigit() and len(n) < 6 else 0
    return text.format(n=count)


def _done(actor: Actor, activity: Activity, code: str, n: int = 0) -> Any:
    return redirect(
        url_for(
            "activities.show",
            activity_id=activity.public_id,
            t=actor.token(),
            done=code,
            n=n,
            _anchor="peer-review",
        ),
        code=303,
    )


def _ids() -> list[str] | None:
    chosen = [v for v in request.form.getlist("submission") if v]
    return chosen or None


@bp.post("/<activity_id>/reviews/end")
@require_actor(staff=True)
def end_reviews(activity_id: str) -> Any:
    """Close the review phase now (the instructor moves on)."""
    actor, activity = scope(activity_id)
    try:
        shortfall.end_reviews(activity)
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    grading.check_completion(activity, subs.learners(activity))
    return _done(actor, activity, "ended")


@bp.post("/<activity_id>/short/volunteers")
@require_actor(staff=True)
def offer_to_volunteers(activity_id: str) -> Any:
    """Offer the submissions short of reviews to volunteers."""
    actor, activity = scope(activity_id)
    try:
        n = shortfall.offer_to_volunteers(activity, _ids())
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return _done(actor, activity, "offered", n)


@bp.post("/<activity_id>/short/accept")
@require_actor(staff=True)
def accept_fewer(activity_id: str) -> Any:
    """Accept fewer reviews for the submissions short of them (grades flagged)."""
    actor, activity = scope(activity_id)
    try:
        n = shortfall.accept_fewer(activity, actor.person, _ids())
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return _done(actor, activity, "accepted", n)


@bp.post("/<activity_id>/short/<submission_id>/review")
@require_actor(staff=True)
def staff_review(activity_id: str, submission_id: str) -> Any:
    """Review one short submission as staff: opens its review form."""
    actor, activity = scope(activity_id)
    try:
        review = shortfall.staff_review(activity, actor.person, submission_id)
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return redirect(
        url_for(
            "peer_review.review",
            activity_id=activity.public_id,
            review_id=review.public_id,
            t=actor.token(),
        ),
        code=303,
    )
