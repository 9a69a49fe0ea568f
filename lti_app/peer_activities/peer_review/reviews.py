"""Review allocation, reviews and helpfulness ratings: the names importers know
from here, now kept in ``services`` (``allocation`` holds "start next review",
``batch``, ``reviewing``, ``quota``, ``reporting_lines``)."""

from __future__ import annotations

from lti_app.peer_activities.peer_review.services.allocation import next_review, pool_states
from lti_app.peer_activities.peer_review.services.batch import (
    BATCH_HOLD,
    allocate_all,
    lock_activity,
)
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError
from lti_app.peer_activities.peer_review.services.quota import is_live, k_of, lease_of, quota
from lti_app.peer_activities.peer_review.services.reporting_lines import must_not_review
from lti_app.peer_activities.peer_review.services.reviewing import (
    is_reviewer_of,
    rate_review,
    review_for_author,
    review_for_reviewer,
    reviewed_by,
    reviews_by,
    reviews_of,
    submit_review,
)

__all__ = [
    "BATCH_HOLD",
    "PeerReviewError",
    "allocate_all",
    "is_live",
    "is_reviewer_of",
    "k_of",
    "lease_of",
    "lock_activity",
    "must_not_review",
    "next_review",
    "pool_states",
    "quota",
    "rate_review",
    "review_for_author",
    "review_for_reviewer",
    "reviewed_by",
    "reviews_by",
    "reviews_of",
    "submit_review",
]
