"""Reviews once allocated: finding them (for their reviewer, for the author),
submitting the rubric scores and comments, and the author's helpfulness rating.

Side effects: updates reviews and flushes; the request commits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.domain.peer_grades import GradeError
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import phases
from lti_app.peer_activities.peer_review.levels import points_problem
from lti_app.peer_activities.peer_review.models import DONE, PeerReviewReview, PeerReviewSubmission
from lti_app.peer_activities.peer_review.services import roster, rubric
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError
from lti_app.peer_activities.rich_text import rich_text

log = logging.getLogger(__name__)


def reviews_by(activity: Activity, person: Person) -> list[PeerReviewReview]:
    """A reviewer's reviews in this activity (done and leased), oldest first."""
    return list(
        db.session.scalars(
            select(PeerReviewReview)
            .where(
                PeerReviewReview.activity_id == activity.id,
                PeerReviewReview.reviewer_id == person.id,
            )
            .order_by(PeerReviewReview.id)
        )
    )


def reviewed_by(activity: Activity, person: Person) -> list[str]:
    """Ids (as the allocator names them) of the submissions a reviewer reviewed or holds."""
    return [
        str(sid)
        for sid in db.session.scalars(
            select(PeerReviewReview.submission_id).where(
                PeerReviewReview.activity_id == activity.id,
                PeerReviewReview.reviewer_id == person.id,
            )
        )
    ]


def reviews_of(activity: Activity) -> list[PeerReviewReview]:
    return list(
        db.session.scalars(
            select(PeerReviewReview)
            .where(PeerReviewReview.activity_id == activity.id)
            .order_by(PeerReviewReview.id)
        )
    )


def review_for_reviewer(
    activity: Activity, person: Person, review_id: str
) -> PeerReviewReview | None:
    """A review by its public id, only if it is this person's (else None: a review
    you were not allocated does not exist for you)."""
    found: PeerReviewReview | None = db.session.scalar(
        select(PeerReviewReview).where(
            PeerReviewReview.public_id == review_id,
            PeerReviewReview.activity_id == activity.id,
            PeerReviewReview.reviewer_id == person.id,
        )
    )
    return found


def review_for_author(
    activity: Activity, person: Person, review_id: str
) -> PeerReviewReview | None:
    """A done review of this person's submission (their own or their group's), by
    public id."""
    own = roster.own_submission_id(activity, person)
    if own is None:
        return None
    found: PeerReviewReview | None = db.session.scalar(
        select(PeerReviewReview).where(
            PeerReviewReview.public_id == review_id,
            PeerReviewReview.activity_id == activity.id,
            PeerReviewReview.status == DONE,
            PeerReviewReview.submission_id == own,
        )
    )
    return found


def submit_review(
    activity: Activity,
    review: PeerReviewReview,
    points: Mapping[str, float],
    comment: str,
    criterion_comments: Mapping[str, str] | None = None,
    *,
    staff: bool = False,
) -> PeerReviewReview:
    """Save the rubric scores, the comments on criteria and the overall comment;
    the review is done. Refused with a message: scores out of a criterion's range
    or (when it has levels) not one of its levels, missing or unknown criteria, a
    missing comment on a criterion that requires one, an empty overall comment. A
    review whose lease ran out is still accepted (the submission just gets an
    extra review)."""
    if review.status == DONE:
        raise PeerReviewError("This review is already submitted.")
    why = None if staff else phases.refusal(activity.settings, phases.REVIEW_WORK)
    if why:  # the phase set by hand (phases.RULES); staff may always review
        raise PeerReviewError(why)
    rows = rubric.criteria(activity)
    names = {c.public_id: c.name for c in rows}
    try:
        total = rubric.rubric_of(rows).total(points)
    except GradeError as exc:
        text = str(exc)
        for pid, name in names.items():
            text = text.replace(pid, f"“{name}”")
        raise PeerReviewError(text[0].upper() + text[1:] + ".") from exc
    for c in rows:
        problem = points_problem(c.name, c.levels, c.max_points, float(points[c.public_id]))
        if problem:
            raise PeerReviewError(problem)
    typed = criterion_comments or {}
    unknown = set(typed) - set(names)
    if unknown:
        raise PeerReviewError("A comment was given on a criterion that is not in the rubric.")
    notes = {pid: rich_text(typed.get(pid, ""), limit=5000) for pid in names}
    missing = [c.name for c in rows if c.comment_required and not notes[c.public_id]]
    if missing:
        raise PeerReviewError(
            "Explain your score on " + ", ".join(f"“{name}”" for name in missing) + " in a comment."
        )
    cleaned = rich_text(comment, limit=20000)
    if not cleaned:
        raise PeerReviewError("Write an overall comment for the author.")
    review.scores = {k: float(v) for k, v in points.items()}
    review.criterion_comments = {pid: text for pid, text in notes.items() if text}
    review.total = total
    review.comment = cleaned
    review.status = DONE
    review.lease_until = None
    review.completed_at = utcnow()
    db.session.flush()
    log.info("peer review %s: review %s done", activity.public_id, review.public_id)
    return review


def rate_review(
    review: PeerReviewReview, stars: int, comment: str, settings: Mapping[str, Any] | None = None
) -> PeerReviewReview:
    """The author's helpfulness rating (1–5) of a review of their work; refused in a
    phase (of the activity's ``settings``) where authors do not respond to feedback."""
    why = phases.refusal(dict(settings or {}), phases.RESPOND)
    if why:  # the phase set by hand (phases.RULES)
        raise PeerReviewError(why)
    if not 1 <= stars <= 5:
        raise PeerReviewError("Rate helpfulness from 1 to 5 stars.")
    review.helpfulness = stars
    review.helpfulness_comment = rich_text(comment, limit=5000)
    review.rated_at = utcnow()
    db.session.flush()
    return review


def is_reviewer_of(sub: PeerReviewSubmission, person: Person) -> bool:
    """Whether ``person`` was allocated ``sub`` (leased or done)."""
    found = db.session.scalar(
        select(PeerReviewReview.id).where(
            PeerReviewReview.submission_id == sub.id, PeerReviewReview.reviewer_id == person.id
        )
    )
    return found is not None
