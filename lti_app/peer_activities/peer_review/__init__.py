"""Peer assessment with feedback: fair allocation, rubrics, feedback on feedback."""

from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate

from lti_app.peer_activities.registry import ActivityType, register


def _iso_datetime(value: str) -> None:
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError("Give a date and time, e.g. 2026-12-01T17:00.") from exc


def _due() -> fields.String:
    """A phase's due date, UTC, stored as "YYYY-MM-DDTHH:MM" (JSON settings)."""
    return fields.String(load_default=None, allow_none=True, validate=_iso_datetime)


class PeerReviewSettings(Schema):
    reviews_per_submission = fields.Integer(load_default=3, validate=validate.Range(min=1, max=6))
    anonymity = fields.String(
        load_default="double_blind",
        validate=validate.OneOf(["double_blind", "single_blind", "open"]),
    )
    #: How peer scores make a submission grade (lti_app.domain.peer_grades).
    method = fields.String(load_default="mean",
                           validate=validate.OneOf(["mean", "median", "trimmed"]))
    accuracy_weighting = fields.Boolean(load_default=False)
    #: Authors rate each review's helpfulness before they complete.
    rate_feedback = fields.Boolean(load_default=True)
    #: How long an opened review is held for its reviewer before it returns to the pool.
    lease_minutes = fields.Integer(load_default=120, validate=validate.Range(min=5, max=10080))
    #: Authors may hand in a revised version after they received feedback.
    allow_revision = fields.Boolean(load_default=False)
    #: E-mail learners who still owe work when a due date is near (needs SMTP).
    email_reminders = fields.Boolean(load_default=True)
    #: One submission per group: any member submits for the group, every member
    #: gets its feedback and grade; reviewing stays individual.
    group_submissions = fields.Boolean(load_default=False)
    #: The public id of the course activity whose published groups submit together.
    groups_from = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=24))
    submission_due = _due()
    review_due = _due()
    feedback_due = _due()


PEER_REVIEW = register(
    ActivityType(
        key="peer_review",
        label="Peer assessment with feedback",
        summary="Learners submit work, review each other's against a rubric, and rate how "
        "helpful the feedback they received was.",
        settings_schema=PeerReviewSettings,
        fields=(
            ("reviews_per_submission", "Reviews per submission", "number", ()),
            ("anonymity", "Anonymity", "select",
             (("double_blind", "Double-blind: nobody sees names"),
              ("single_blind", "Single-blind: reviewers see the author"),
              ("open", "Open: everyone sees names"))),
            ("method", "Submission grade", "select",
             (("mean", "Mean of peer scores"), ("median", "Median of peer scores"),
              ("trimmed", "Trimmed mean (drop highest and lowest from 4 scores)"))),
            ("allow_revision", "Revision after feedback", "select",
             (("0", "No"), ("1", "Yes: authors may hand in a revised version"))),
            ("email_reminders", "E-mail reminders before due dates (when e-mail is set up)",
             "select", (("1", "Yes"), ("0", "No"))),
            ("submission_due", "Submissions due (UTC, optional)", "datetime-local", ()),
            ("review_due", "Reviews due (UTC, optional)", "datetime-local", ()),
            ("feedback_due", "Feedback ratings due (UTC, optional)", "datetime-local", ()),
        ),
    )
)
