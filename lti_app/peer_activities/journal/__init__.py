"""Reflection journals, action plans and 30/60/90-day transfer check-ins.

Layout: ``models``; ``clock`` (the one clock, so tests control time);
``settings`` (the activity's settings with defaults); ``services/``: ``entries``
(prompted entries, tags, sharing), ``plans`` (action plan items and their status
history), ``schedule`` (check-ins anchored on completion: scheduling, reopening,
due check-ins, reminders and the periodic sweep), ``checkins`` (answers),
``observations`` (a mentor or named manager confirms an observed application),
``privacy`` (export and deletion of a learner's own data); ``visibility`` (who
reads which entry: the query); ``completion`` (rule → grade outbox); ``figures``
(transfer figures and the raw CSV they are computed from); ``panel`` (what the
activity page shows per audience); ``notices`` (due check-ins, observation
requests); ``schemas``; ``errors``; ``views`` and ``staff_views`` (blueprint
``journal``); ``activity`` (what it plugs into the tool, see
lti_app.peer_activities.registry). This module: the deep-linking settings.
"""

from collections.abc import Mapping

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

DEFAULT_PROMPTS = (
    "What? What happened, what did you do or notice?",
    "So what? Why does it matter, what did you learn?",
    "Now what? What will you do differently at work?",
)
#: The anchor of each learner's check-ins: their own completion of the journal,
#: or a course end date the instructor sets (whichever comes later).
ANCHORS = ("completion", "course_end")
#: Completion rules for the gradebook: entries written (and an action plan), or
#: that and every check-in answered.
COMPLETION_RULES = ("entries", "entries_and_checkins")
_DATE = r"^(\d{4}-\d{2}-\d{2})?$"


def _day_list(value: object) -> list[int]:
    return sorted(
        {int(d) for d in str(value or "").split(",") if d.strip().isdigit() and int(d) > 0}
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _days_words(value: object, settings: Mapping[str, object]) -> str:
    """ "30, 60 and 90 days after completion" (journal.settings.checkin_days reads the same)."""
    days = _day_list(value) or [30, 60, 90]
    after = (
        "after the course end date (or a later completion)"
        if settings.get("anchor") == "course_end"
        else "after completion"
    )
    unit = "day" if days == [1] else "days"
    return f"{_and([str(d) for d in days])} {unit} {after}"


def _prompts_words(value: object, _settings: Mapping[str, object]) -> str:
    found = [line.strip() for line in str(value or "").splitlines() if line.strip()]
    return _and([f"“{p}”" for p in (found or DEFAULT_PROMPTS)])


class JournalSettings(Schema):
    checkin_days = fields.String(
        load_default="30,60,90",
        validate=validate.Regexp(
            r"^\d{1,3}(,\d{1,3}){0,5}$",
            error="Give up to six numbers of days separated by commas, e.g. 30,60,90.",
        ),
        metadata={
            "label": "Check-ins",
            "words": _days_words,
            "description": "Days after the anchor below, separated by commas (e.g. 30,60,90).",
            "changed": "Unanswered check-ins now follow the new days.",
        },
    )
    #: One prompt per line; empty: What? So what? Now what?
    prompts = fields.String(
        load_default="",
        validate=validate.Length(max=2000),
        metadata={
            "label": "Entry prompts",
            "input": "textarea",
            "words": _prompts_words,
            "form_default": "\n".join(DEFAULT_PROMPTS),
            "description": "One prompt per line, up to 8. Entries already written keep the "
            "prompts they answered.",
        },
    )
    anchor = fields.String(
        load_default="completion",
        validate=validate.OneOf(ANCHORS),
        metadata={
            "label": "Count check-in days from",
            "choices": (
                ("completion", "Each learner's completion of the journal"),
                ("course_end", "The course end date (or a later completion)"),
            ),
            "changed": "Unanswered check-ins now follow the new days.",
        },
    )
    #: YYYY-MM-DD (UTC day), for the ``course_end`` anchor.
    course_end = fields.String(
        load_default="",
        validate=validate.Regexp(_DATE, error="Give the date as YYYY-MM-DD."),
        metadata={
            "label": "Course end date",
            "input": "date",
            "empty": "Not set",
            "description": "UTC; needed when check-ins count from the course end.",
            "changed": "Unanswered check-ins now follow the new days.",
        },
    )
    #: YYYY-MM-DD: the course has concluded its follow-up; no reminders, no answers after.
    followup_closes = fields.String(
        load_default="",
        validate=validate.Regexp(_DATE, error="Give the date as YYYY-MM-DD."),
        metadata={
            "label": "Follow-up closes after",
            "input": "date",
            "empty": "Never: check-ins stay open",
            "description": "UTC. After this day no reminders are sent and no check-in "
            "answers are taken. Leave it empty to keep them open.",
        },
    )
    entries_required = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=20),
        metadata={
            "label": "Entries needed to complete",
            "unit": "entries",
            "description": "1 to 20.",
        },
    )
    completion = fields.String(
        load_default="entries",
        validate=validate.OneOf(COMPLETION_RULES),
        metadata={
            "label": "Complete in the gradebook when",
            "choices": (
                ("entries", "Entries written and an action plan made"),
                (
                    "entries_and_checkins",
                    "Entries written, an action plan made and every check-in answered",
                ),
            ),
        },
    )

    @pre_load
    def _days_without_spaces(self, data: dict[str, object], **_: object) -> dict[str, object]:
        """ "30, 60, 90" is what people type; it means 30,60,90."""
        if isinstance(data.get("checkin_days"), str):
            data = {**data, "checkin_days": "".join(str(data["checkin_days"]).split())}
        return data

    @validates_schema
    def _course_end_needed(self, data: dict[str, object], **_: object) -> None:
        if data.get("anchor") == "course_end" and not data.get("course_end"):
            raise ValidationError(
                "Give the course end date the check-ins count from.", "course_end"
            )
        days = [int(d) for d in str(data.get("checkin_days") or "").split(",") if d]
        if any(d < 1 for d in days) or len(set(days)) != len(days):
            raise ValidationError("Use different whole numbers of days, 1 or more.", "checkin_days")
