"""Peer assessment with feedback: fair allocation, rubrics, feedback on feedback.

Layout: ``models``; ``submissions``, ``reviews`` (allocation), ``grading`` and
``gradebook`` (grades, "Send grades"), ``rubrics``, ``phases``, ``groups``,
``shortfall``; calibration and self-assessment (``calibration_models``,
``services.calibrating``, ``services.self_assessing``, ``calibration_panel``,
``calibration_views``); ``completion``; ``notices`` (what a learner owes, at launch and by
e-mail); ``panel``; ``schemas``; ``views`` and ``remedy_views`` (blueprint
``peer_review``); ``activity`` (what it plugs into the tool, see
lti_app.peer_activities.registry); ``phase_control`` and ``phase_views`` (the
phase switched by hand, rules in ``phases``), ``passage_comments`` (comments
anchored to passages of the work). This module: the deep-linking settings.
"""

from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate


def _iso_datetime(value: str) -> None:
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError("Give a date and time, e.g. 2026-12-01T17:00.") from exc


def _due(label: str) -> fields.String:
    """A phase's due date, UTC, stored as "YYYY-MM-DDTHH:MM" (JSON settings)."""
    return fields.String(
        load_default=None,
        allow_none=True,
        validate=_iso_datetime,
        metadata={
            "label": label,
            "input": "datetime-local",
            "empty": "No due date",
            "description": "UTC. Leave it empty for no due date.",
        },
    )


class PeerReviewSettings(Schema):
    reviews_per_submission = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=6),
        metadata={
            "label": "Reviews per submission",
            "description": "Each submission gets this many reviews, and each learner "
            "writes this many (1 to 6).",
        },
    )
    anonymity = fields.String(
        load_default="double_blind",
        validate=validate.OneOf(["double_blind", "single_blind", "open"]),
        metadata={
            "label": "Anonymity",
            "choices": (
                (
                    "double_blind",
                    "Double-blind: authors and reviewers don't see each other's names",
                ),
                (
                    "single_blind",
                    "Single-blind: reviewers see the author's name, authors don't "
                    "see reviewers' names",
                ),
                ("open", "Open: authors and reviewers see each other's names"),
            ),
        },
    )
    #: How peer scores make a submission grade (lti_app.domain.peer_grades).
    method = fields.String(
        load_default="mean",
        validate=validate.OneOf(["mean", "median", "trimmed"]),
        metadata={
            "label": "Submission grade",
            "choices": (
                ("mean", "Mean of peer scores"),
                ("median", "Median of peer scores"),
                ("trimmed", "Trimmed mean (drop highest and lowest from 4 scores)"),
            ),
        },
    )
    accuracy_weighting = fields.Boolean(
        load_default=False,
        metadata={
            "label": "Reviewers' weight",
            "choices": (
                (False, "Every reviewer's scores count the same"),
                (True, "Reviewers whose scores agree with the others' count more"),
            ),
        },
    )
    #: Authors rate each review's helpfulness before they complete.
    rate_feedback = fields.Boolean(
        load_default=True,
        metadata={
            "label": "Feedback on feedback",
            "choices": (
                (True, "Authors rate how helpful each review was"),
                (False, "Authors do not rate the reviews"),
            ),
        },
    )
    #: How long an opened review is held for its reviewer before it returns to the pool.
    lease_minutes = fields.Integer(
        load_default=120,
        validate=validate.Range(min=5, max=10080),
        metadata={
            "label": "Time to finish an opened review",
            "unit": "minutes",
            "description": "After this, an unfinished review goes back to the pool "
            "for someone else (5 to 10080 minutes).",
        },
    )
    #: Authors may hand in a revised version after they received feedback.
    allow_revision = fields.Boolean(
        load_default=False,
        metadata={
            "label": "Revision after feedback",
            "choices": (
                (False, "No revised versions"),
                (True, "Authors may hand in a revised version"),
            ),
        },
    )
    #: E-mail learners who still owe work when a due date is near (needs SMTP).
    email_reminders = fields.Boolean(
        load_default=True,
        metadata={
            "label": "E-mail reminders",
            "choices": (
                (True, "E-mail learners who owe work before a due date (when e-mail is set up)"),
                (False, "No e-mail reminders"),
            ),
        },
    )
    #: One submission per group: any member submits for the group, every member
    #: gets its feedback and grade; reviewing stays individual.
    group_submissions = fields.Boolean(
        load_default=False,
        metadata={
            "label": "Who submits",
            "choices": (
                (False, "Each learner submits their own work"),
                (True, "One submission per group, for every member"),
            ),
            "edited_elsewhere": "Set under “Group submissions” on the activity page.",
        },
    )
    #: The public id of the course activity whose published groups submit together.
    groups_from = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=24),
        metadata={
            "label": "Groups from",
            "show": False,
            "edited_elsewhere": "With group submissions.",
        },
    )
    # -- calibration and self-assessment (issue 20, rows 1 and 2; ``calibrating``) --
    #: Before their first review learners assess the instructor's examples.
    calibration = fields.String(
        load_default="off",
        validate=validate.OneOf(["off", "practice", "required", "weighted"]),
        metadata={
            "label": "Calibration",
            "choices": (
                ("off", "Off: no example submissions"),
                ("practice", "Practice: learners assess the examples first; not counted"),
                ("required", "Required: learners retry until close enough to the reference"),
                ("weighted", "Weighted: agreement with the reference counts in reviewing accuracy"),
            ),
        },
    )
    calibration_tolerance = fields.Integer(
        load_default=80,
        validate=validate.Range(min=0, max=100),
        metadata={
            "label": "Calibration: agreement needed",
            "unit": "%",
            "description": "With required calibration, how close to the reference a "
            "learner's ratings must come (0 to 100 %).",
        },
    )
    calibration_tries = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=10),
        metadata={
            "label": "Calibration: most tries",
            "description": "With required calibration, after this many tries a learner "
            "may review anyway (1 to 10).",
        },
    )
    #: After submitting, authors rate their own work with the rubric.
    self_assessment = fields.String(
        load_default="off",
        validate=validate.OneOf(["off", "optional", "required"]),
        metadata={
            "label": "Self-assessment",
            "choices": (
                ("off", "Off"),
                ("optional", "Optional: authors may rate their own work"),
                ("required", "Required: authors rate their own work to complete"),
            ),
        },
    )
    self_assessment_weight = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=50),
        metadata={
            "label": "Self-assessment weight",
            "unit": "%",
            "description": "0: never graded. Otherwise how close the self-assessment "
            "comes to the peers' ratings counts this much in the reviewing grade (0 to 50).",
        },
    )
    # -- end calibration and self-assessment --
    submission_due = _due("Submissions due")
    review_due = _due("Reviews due")
    feedback_due = _due("Feedback ratings due")
    # -- phase control by hand and when results are revealed (see ``phases``) ----------
    #: When an author sees the reviews of their work (``phases.revealed``).
    results_reveal = fields.String(
        load_default="each",
        validate=validate.OneOf(["each", "k", "close"]),
        metadata={
            "label": "Authors see their feedback",
            "choices": (
                ("each", "As soon as each review is done"),
                ("k", "Once their work has all its reviews"),
                ("close", "When reviewing is over (the feedback phase, or at close)"),
            ),
        },
    )
    #: The phase the instructor switched to by hand (None: automatic, from the dates).
    phase = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(["setup", "submission", "review", "feedback", "closed"]),
        metadata={
            "label": "Phase",
            "show": False,
            "edited_elsewhere": "Switched by hand on the activity page.",
        },
    )
    #: Who switched the phase by hand (their name, for the staff panel) and when (UTC).
    phase_set_by = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=255),
        metadata={"label": "Phase set by", "show": False, "edited_elsewhere": "With the phase."},
    )
    phase_set_at = fields.String(
        load_default=None,
        allow_none=True,
        validate=_iso_datetime,
        metadata={"label": "Phase set at", "show": False, "edited_elsewhere": "With the phase."},
    )
