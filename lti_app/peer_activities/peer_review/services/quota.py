"""What an activity's settings make of reviewing: k reviews per submission, how
long a lease lasts, whether a review still holds its slot, and how many reviews
a learner owes. Pure reads of the settings."""

from __future__ import annotations

from datetime import datetime, timedelta

from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import DONE, PeerReviewReview


def k_of(activity: Activity) -> int:
    return int(activity.settings.get("reviews_per_submission", 3))


def lease_of(activity: Activity) -> timedelta:
    return timedelta(minutes=int(activity.settings.get("lease_minutes", 120)))


def is_live(review: PeerReviewReview, now: datetime) -> bool:
    """Done, or leased and the lease not yet run out."""
    return review.status == DONE or (review.lease_until is not None and review.lease_until > now)


def quota(activity: Activity, n_units: int) -> int:
    """How many reviews a learner owes: k, or fewer when there are not k other
    submissions to review (``n_units``: the learners, or the groups in group mode;
    see ``roster.unit_count``)."""
    return max(0, min(k_of(activity), n_units - 1))
