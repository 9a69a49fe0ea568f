"""Completion of a peer review: a learner completes once they submitted, gave the
reviews they owe (or every review still open to them once reviews closed) and, if
the phase is on, rated the feedback they received (and, when self-assessment is
required, rated their own work; required calibration gates their first review, so
it is covered by the reviews they owe). The rule and the one
completion score per learner are applied by ``grading.check_completion``; this
module answers whether it happened."""

from __future__ import annotations

from sqlalchemy import select

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewProgress


def is_completed(activity: Activity, person: Person) -> bool:
    return (
        db.session.scalar(
            select(PeerReviewProgress.completed_at).where(
                PeerReviewProgress.activity_id == activity.id,
                PeerReviewProgress.person_id == person.id,
            )
        )
        is not None
    )
