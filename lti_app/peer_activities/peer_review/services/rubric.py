"""The activity's rubric: the default one, edits (refused once a review is done),
copies from another activity, and its domain form (``Rubric``) for scoring.

Side effects: inserts/deletes criteria and flushes; the request commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from lti_app.domain.peer_grades import Criterion, Rubric
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.levels import level_problem
from lti_app.peer_activities.peer_review.models import PeerReviewCriterion, PeerReviewReview
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError

log = logging.getLogger(__name__)


#: The rubric an activity starts with until the instructor edits it.
DEFAULT_RUBRIC = (
    ("Content", 4, "0 missing\n1 thin\n2 adequate\n3 good\n4 excellent"),
    ("Clarity", 4, "0 unreadable\n1 hard to follow\n2 mostly clear\n3 clear\n4 very clear"),
    ("Use of evidence", 4, "0 none\n1 anecdote\n2 some\n3 relevant\n4 strong and cited"),
)


@dataclass(frozen=True)
class CriterionInput:
    name: str
    max_points: int
    levels: str
    #: Reviewers must comment on this criterion.
    comment_required: bool = False


def criteria(activity: Activity) -> list[PeerReviewCriterion]:
    """The activity's rubric, creating the default one on first use."""
    rows = list(
        db.session.scalars(
            select(PeerReviewCriterion)
            .where(PeerReviewCriterion.activity_id == activity.id)
            .order_by(PeerReviewCriterion.position, PeerReviewCriterion.id)
        )
    )
    if not rows:
        for i, (name, points, levels) in enumerate(DEFAULT_RUBRIC, start=1):
            row = PeerReviewCriterion(
                activity_id=activity.id, position=i, name=name, max_points=points, levels=levels
            )
            db.session.add(row)
            rows.append(row)
        db.session.flush()
    return rows


def ensure_criteria(activity: Activity) -> None:
    """Create the default rubric if the activity has none (one cheap query when it
    has; else under the activity's row lock, so two first reviewers make one,
    released at once by whoever finds it made)."""

    def missing() -> bool:
        return (
            db.session.scalar(
                select(PeerReviewCriterion.id)
                .where(PeerReviewCriterion.activity_id == activity.id)
                .limit(1)
            )
            is None
        )

    if missing():
        savepoint = db.session.begin_nested()  # rolled back: the lock goes with it
        db.session.execute(
            select(Activity.id).where(Activity.id == activity.id).with_for_update(key_share=True)
        )
        if missing():
            criteria(activity)
            savepoint.commit()
        else:
            savepoint.rollback()


def rubric_of(rows: list[PeerReviewCriterion]) -> Rubric:
    """The domain rubric; criteria are named by public id (names may change)."""
    return Rubric(tuple(Criterion(c.public_id, float(c.max_points)) for c in rows))


def reviews_started(activity: Activity) -> bool:
    found = db.session.scalar(
        select(func.count())
        .select_from(PeerReviewReview)
        .where(PeerReviewReview.activity_id == activity.id, PeerReviewReview.status == "done")
    )
    return bool(found)


def save_rubric(activity: Activity, items: list[CriterionInput]) -> list[PeerReviewCriterion]:
    """Replace the rubric. Refused once a review is done: the scores given would no
    longer mean what they meant."""
    if reviews_started(activity):
        raise PeerReviewError(
            "Reviews have been given against this rubric, so it can no longer be changed."
        )
    if not items:
        raise PeerReviewError("A rubric needs at least one criterion.")
    for item in items:
        problem = level_problem(item.name, item.levels, item.max_points)
        if problem:
            raise PeerReviewError(problem)
    if len({item.name.casefold() for item in items}) != len(items):
        raise PeerReviewError("Give each criterion a different name.")
    for row in criteria(activity):
        db.session.delete(row)
    db.session.flush()
    rows = []
    for i, item in enumerate(items, start=1):
        row = PeerReviewCriterion(
            activity_id=activity.id,
            position=i,
            name=item.name,
            max_points=item.max_points,
            levels=item.levels,
            comment_required=item.comment_required,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    log.info("peer review %s: rubric saved (%d criteria)", activity.public_id, len(rows))
    return rows


def copy_rubric(activity: Activity, source: Activity) -> list[PeerReviewCriterion]:
    """Reuse another activity's rubric (same course, checked by the caller)."""
    items = [
        CriterionInput(c.name, c.max_points, c.levels, c.comment_required) for c in criteria(source)
    ]
    return save_rubric(activity, items)
