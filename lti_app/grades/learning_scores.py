"""The gradebook columns of learning checks: mastery and learning gain.

Analytics scores a learner's pre- and post-check; what goes to the gradebook
(which line items, which numbers, the words the learner reads there) is decided
here, like every other score the tool writes.
"""

from __future__ import annotations

from typing import Any

from lti_app.courses.models import Person
from lti_app.domain import grade_comments
from lti_app.domain.learning_gain import gain_scores
from lti_app.grades.models import LEARNING_GAIN, MASTERY
from lti_app.grades.services import line_item_for, record_score


def record_check_scores(
    activity: Any,
    person: Person,
    *,
    pre_score: float | None,
    post_score: float,
    maximum: float,
    ceiling: float,
) -> None:
    """Mastery (always) and learning gain (only with a comparable pre-check: gain is
    never imputed) of one learner into the score outbox (delivered after commit)."""
    if activity.course_id is None:
        return
    result = gain_scores(pre_score, post_score, maximum, ceiling=ceiling)
    # The learner reads these in the gradebook: plain words, not the formula.
    record_score(
        line_item_for(activity, MASTERY),
        person,
        score_given=result.mastery,
        score_maximum=100.0,
        comment=grade_comments.mastery_comment(post_score, maximum),
    )
    if result.gain is not None:
        record_score(
            line_item_for(activity, LEARNING_GAIN),
            person,
            score_given=result.gain,
            score_maximum=100.0,
            comment=grade_comments.gain_comment(
                pre_score, post_score, maximum, gain=result.gain, ceiling=ceiling
            ),
        )
