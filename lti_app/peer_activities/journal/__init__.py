"""Reflection journals, action plans and 30/60/90-day transfer check-ins.

Layout: ``models``; ``clock`` (the one clock, so tests control time);
``settings`` (the activity's settings with defaults); ``entries`` (prompted
entries, tags, sharing) and ``visibility`` (who reads which entry: the query);
``plans`` (action plan items and their status history); ``schedule`` (check-ins
anchored on completion: scheduling, reopening, due check-ins, reminders and the
periodic sweep); ``checkins`` (answers); ``observations`` (a mentor or named
manager confirms an observed application); ``completion`` (rule → grade
outbox); ``figures`` (transfer figures and the raw CSV they are computed from);
``privacy`` (export and deletion of a learner's own data); ``panel`` (what the
activity page shows per audience, and the launch notices); ``schemas``;
``errors``; ``views`` and ``staff_views`` (blueprint ``journal``).
"""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from lti_app.peer_activities.registry import ActivityType, register

DEFAULT_PROMPTS = ("What? What happened, what did you do or notice?",
                   "So what? Why does it matter, what did you learn?",
                   "Now what? What will you do differently at work?")
#: The anchor of each learner's check-ins: their own completion of the journal,
#: or a course end date the instructor sets (whichever comes later).
ANCHORS = ("completion", "course_end")
#: Completion rules for the gradebook: entries written (and an action plan), or
#: that and every check-in answered.
COMPLETION_RULES = ("entries", "entries_and_checkins")
_DATE = r"^(\d{4}-\d{2}-\d{2})?$"


class JournalSettings(Schema):
    checkin_days = fields.String(
        load_default="30,60,90", validate=validate.Regexp(r"^\d{1,3}(,\d{1,3}){0,5}$")
    )
    #: One prompt per line; empty: What? So what? Now what?
    prompts = fields.String(load_default="", validate=validate.Length(max=2000))
    anchor = fields.String(load_default="completion", validate=validate.OneOf(ANCHORS))
    #: YYYY-MM-DD (UTC day), for the ``course_end`` anchor.
    course_end = fields.String(load_default="", validate=validate.Regexp(_DATE))
    #: YYYY-MM-DD: the course has concluded its follow-up; no reminders, no answers after.
    followup_closes = fields.String(load_default="", validate=validate.Regexp(_DATE))
    entries_required = fields.Integer(load_default=1, validate=validate.Range(min=1, max=20))
    completion = fields.String(load_default="entries", validate=validate.OneOf(COMPLETION_RULES))

    @validates_schema
    def _course_end_needed(self, data: dict[str, object], **_: object) -> None:
        if data.get("anchor") == "course_end" and not data.get("course_end"):
            raise ValidationError("Give the course end date the check-ins count from.",
                                  "course_end")
        days = [int(d) for d in str(data.get("checkin_days") or "").split(",") if d]
        if any(d < 1 for d in days) or len(set(days)) != len(days):
            raise ValidationError("Use different whole numbers of days, 1 or more.",
                                  "checkin_days")


JOURNAL = register(
    ActivityType(
        key="journal",
        label="Reflection journal",
        summary="Private, prompted reflection (What? So what? Now what?), an action plan, and "
        "check-ins 30, 60 and 90 days later on what was applied at work.",
        settings_schema=JournalSettings,
        fields=(
            ("checkin_days", "Check-ins (days after completion)", "text", ()),
            ("anchor", "Count check-in days from", "select",
             (("completion", "Each learner's completion of the journal"),
              ("course_end", "The course end date (or a later completion)"))),
            ("course_end", "Course end date (YYYY-MM-DD, UTC)", "date", ()),
            ("entries_required", "Entries needed to complete", "number", ()),
            ("completion", "Complete in the gradebook when", "select",
             (("entries", "Entries written and an action plan made"),
              ("entries_and_checkins", "…and every check-in answered"))),
        ),
    )
)
