"""Batch allocation at a deadline: every submission gets its k reviewers at once
(``lti_app.domain.allocation.allocate_batch``), instead of just in time as
reviewers open "next review" (``allocation``).

Side effects: locks the activity row; inserts leased reviews; the request commits.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from sqlalchemy import select

from lti_app.db import utcnow
from lti_app.domain.allocation import AllocationError, SubmissionState, allocate_batch
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import phases
from lti_app.peer_activities.peer_review.models import LEASED, PeerReviewReview
from lti_app.peer_activities.peer_review.services import (
    quota,
    reporting_lines,
    reviewing,
    roster,
    submitting,
)
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError

log = logging.getLogger(__name__)
_rng = random.SystemRandom()


def lock_activity(activity: Activity) -> None:
    """Hold the activity exclusively until commit (batch allocation, the default
    rubric). ``FOR NO KEY UPDATE``: rows inserted elsewhere that point at the
    activity take ``FOR KEY SHARE`` on it, which this must not wait on."""
    db.session.execute(
        select(Activity.id).where(Activity.id == activity.id).with_for_update(key_share=True)
    )


#: How long batch-allocated reviews are held when the review phase has no due date.
BATCH_HOLD = timedelta(days=7)


def allocate_all(activity: Activity, *, rng: random.Random | None = None) -> tuple[str, ...]:
    """Batch mode, at a deadline: every submission gets k reviewers among the
    authors (every member of a group submission reviews on their own, never their
    group's work), loads within one of each other (``allocate_batch``). Only before any
    review exists (the batch starts from scratch). Reviews are leased until the
    review due date (or a week); late submissions that arrive afterwards are served
    just in time. Returns the allocator's explanation.

    Side effects: locks the activity row; inserts leased reviews.
    """
    lock_activity(activity)
    if reviewing.reviews_of(activity):
        raise PeerReviewError(
            "Reviews have already started; the rest are allocated just in "
            "time as reviewers open them."
        )
    pool = submitting.submissions(activity)
    if len(pool) < 2:
        raise PeerReviewError("At least two submissions are needed to allocate reviews.")
    k = min(quota.k_of(activity), len(pool) - 1)
    members = roster.coauthors(activity)
    states = [
        SubmissionState(
            str(s.id), frozenset({str(s.author_id), *members.get(s.id, ())}), s.submitted_at
        )
        for s in pool
    ]
    reviewers = sorted({a for st in states for a in st.authors}, key=int)
    try:
        result = allocate_batch(
            states,
            reviewers,
            k=k,
            forbidden=reporting_lines.must_not_review(activity),
            rng=rng or _rng,
        )
    except AllocationError as exc:
        raise PeerReviewError(exc.reason) from exc
    now = utcnow()
    due = phases.parse_due(activity.settings.get("review_due"))
    until = due if due is not None and due > now else now + BATCH_HOLD
    by_id = {str(s.id): s for s in pool}
    for reviewer, sid in result.pairs():
        sub = by_id[sid]
        db.session.add(
            PeerReviewReview(
                activity_id=activity.id,
                submission_id=sub.id,
                reviewer_id=int(reviewer),
                author_id=sub.author_id,
                status=LEASED,
                lease_until=until,
            )
        )
    db.session.flush()
    log.info(
        "peer review %s: batch allocation (%s)", activity.public_id, " ".join(result.explain())
    )
    return result.explain()
