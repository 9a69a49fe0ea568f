"""The pool of submissions as the just-in-time allocator sees it, and claiming one
(used by ``allocation.next_review``; ``progress`` reads the pool too).

``pool_states`` counts every submission's completed reviews and live leases in
the database, in one statement built once; ``claim_if_unchanged`` locks the
chosen submission's row (skipping one another reviewer holds) and checks that its
counts have not moved since the snapshot, in one statement built once.

Side effects: ``claim_if_unchanged`` takes a row lock until commit; nothing here
writes.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, select

from lti_app.domain.allocation import SubmissionState
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import groups
from lti_app.peer_activities.peer_review.models import (
    DONE,
    LEASED,
    PeerReviewReview,
    PeerReviewSubmission,
)
from lti_app.peer_activities.peer_review.services import roster


def pool_states(activity: Activity, now: datetime) -> list[SubmissionState]:
    """Every submission as the allocator sees it: its authors (every member of a
    group submission), completed reviews and live leases, counted in the database."""
    rows = db.session.execute(_pool_stmt(), {"activity": activity.id, "now": now}).all()
    members = roster.coauthors(activity) if groups.group_mode(activity) else {}
    return [
        SubmissionState(
            str(sid),
            frozenset({str(author), *members.get(sid, ())}),
            submitted,
            int(completed),
            int(in_progress),
        )
        for sid, author, submitted, completed, in_progress in rows
    ]


@functools.cache
def _pool_stmt() -> Any:
    """Built once (a constant: the hot path pays only for binding): every
    submission of an activity with its completed reviews and live leases at ``now``."""
    live = case(
        (PeerReviewReview.status == DONE, 0),
        (PeerReviewReview.lease_until > bindparam("now"), 1),
        else_=0,
    )
    return (
        select(
            PeerReviewSubmission.id,
            PeerReviewSubmission.author_id,
            PeerReviewSubmission.submitted_at,
            func.count(case((PeerReviewReview.status == DONE, 1))),
            func.coalesce(func.sum(live), 0),
        )
        .outerjoin(PeerReviewReview, PeerReviewReview.submission_id == PeerReviewSubmission.id)
        .where(PeerReviewSubmission.activity_id == bindparam("activity"))
        .group_by(
            PeerReviewSubmission.id,
            PeerReviewSubmission.author_id,
            PeerReviewSubmission.submitted_at,
        )
    )


def need(state: SubmissionState) -> tuple[int, int]:
    """How little review a submission has (lower needs it more)."""
    return state.completed + state.in_progress, state.completed


LOCKED = object()
CHANGED = object()


def claim_if_unchanged(submission_id: int, seen: SubmissionState, now: datetime) -> object:
    """Lock the submission's row, unless another reviewer holds it (``LOCKED``),
    and return its author's id if its counts are still as ``seen`` (else
    ``CHANGED``). One statement. A row whose counts moved stays locked until this
    transaction ends; others skip it meanwhile, which costs them nothing."""
    row = db.session.execute(_claim_stmt(), {"submission": submission_id, "now": now}).first()
    if row is None:
        return LOCKED
    if (int(row[1]), int(row[2])) != (seen.completed, seen.in_progress):
        return CHANGED
    return int(row[0])


@functools.cache
def _claim_stmt() -> Any:
    """Built once (a constant): lock a submission's row unless another reviewer
    holds it, with its completed reviews and live leases."""
    review = PeerReviewReview
    sub_id: Any = bindparam("submission")
    completed = (
        select(func.count())
        .where(review.submission_id == sub_id, review.status == DONE)
        .scalar_subquery()
    )
    live = (
        select(func.count())
        .where(
            review.submission_id == sub_id,
            review.status == LEASED,
            review.lease_until > bindparam("now"),
        )
        .scalar_subquery()
    )
    return (
        select(PeerReviewSubmission.author_id, completed, live)
        .where(PeerReviewSubmission.id == sub_id)
        .with_for_update(of=PeerReviewSubmission, key_share=True, skip_locked=True)
    )
