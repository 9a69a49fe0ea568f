"""The rubric and learners' submissions, individual or by group: the names
importers know from here, now kept in ``services`` (``rubric``, ``roster``,
``submitting``, ``errors``)."""

from __future__ import annotations

from lti_app.peer_activities.peer_review.services.errors import PeerReviewError
from lti_app.peer_activities.peer_review.services.roster import (
    coauthors,
    learner_count,
    learner_count_column,
    learners,
    members,
    own_submission_id,
    owned_by,
    people_of,
    submission_of,
    unit_count,
)
from lti_app.peer_activities.peer_review.services.rubric import (
    DEFAULT_RUBRIC,
    CriterionInput,
    copy_rubric,
    criteria,
    ensure_criteria,
    reviews_started,
    rubric_of,
    save_rubric,
)
from lti_app.peer_activities.peer_review.services.submitting import (
    EDITABLE,
    FIXED_ONCE_SUBMITTED,
    revise_work,
    submission_by_id,
    submissions,
    submit_work,
    update_settings,
)

__all__ = [
    "DEFAULT_RUBRIC",
    "EDITABLE",
    "FIXED_ONCE_SUBMITTED",
    "CriterionInput",
    "PeerReviewError",
    "coauthors",
    "copy_rubric",
    "criteria",
    "ensure_criteria",
    "learner_count",
    "learner_count_column",
    "learners",
    "members",
    "own_submission_id",
    "owned_by",
    "people_of",
    "revise_work",
    "reviews_started",
    "rubric_of",
    "save_rubric",
    "submission_by_id",
    "submission_of",
    "submissions",
    "submit_work",
    "unit_count",
    "update_settings",
]
