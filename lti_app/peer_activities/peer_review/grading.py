"""Progress, completion, grades and exports of a peer-review activity: the names
importers know from here, now kept in ``services`` (``progress``, ``grading``)."""

from __future__ import annotations

from lti_app.peer_activities.peer_review.services.grading import (
    GradeReport,
    GradeRow,
    export_csv,
    grade_report,
    gradebook_comment,
    override_grade,
    publish_grades,
    resend_after_override,
)
from lti_app.peer_activities.peer_review.services.progress import (
    COMPLETION_COMMENT,
    Standing,
    check_completion,
    move_on,
    standings,
)

__all__ = [
    "COMPLETION_COMMENT",
    "GradeReport",
    "GradeRow",
    "Standing",
    "check_completion",
    "export_csv",
    "grade_report",
    "gradebook_comment",
    "move_on",
    "override_grade",
    "publish_grades",
    "resend_after_override",
    "standings",
]
