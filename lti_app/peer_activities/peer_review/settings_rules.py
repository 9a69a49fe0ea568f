"""What may change in a peer assessment's settings once people have started (see
lti_app.peer_activities.settings_edit). Anonymity is a promise made to whoever
submitted or reviewed under it, so it is fixed once work is in; the number of
reviews per submission is fixed once reviews are allocated (every submission is
owed the same number). Group submissions change on their own form (fixed once
work is in, see ``submissions.update_settings``). Due dates and grading options
may change at any time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewReview, PeerReviewSubmission

ANONYMITY_FIXED = (
    "Work has been submitted under this anonymity promise, so it cannot "
    "change: people shared their work trusting it."
)
REVIEWS_FIXED = (
    "Reviews have been allocated already, so every submission is owed this "
    "many: the number can no longer change."
)


def locked(activity: Activity) -> dict[str, str]:
    """{setting: why it cannot change now}."""
    found: dict[str, str] = {}
    submitted = db.session.scalar(
        select(PeerReviewSubmission.id)
        .where(PeerReviewSubmission.activity_id == activity.id)
        .limit(1)
    )
    reviewed = db.session.scalar(
        select(PeerReviewReview.id).where(PeerReviewReview.activity_id == activity.id).limit(1)
    )
    if submitted is not None or reviewed is not None:
        found["anonymity"] = ANONYMITY_FIXED
    if reviewed is not None:
        found["reviews_per_submission"] = REVIEWS_FIXED
    return found


def applied(activity: Activity, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Nothing follows: the pages read the settings as they are."""
