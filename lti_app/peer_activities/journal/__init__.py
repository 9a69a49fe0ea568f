"""Reflection journals, action plans and 30/60/90-day transfer check-ins."""

from marshmallow import Schema, fields, validate

from lti_app.peer_activities.registry import ActivityType, register


class JournalSettings(Schema):
    checkin_days = fields.String(
        load_default="30,60,90", validate=validate.Regexp(r"^\d{1,3}(,\d{1,3}){0,5}$")
    )


JOURNAL = register(
    ActivityType(
        key="journal",
        label="Reflection journal",
        summary="Private, prompted reflection (What? So what? Now what?), an action plan, and "
        "check-ins 30, 60 and 90 days later on what was applied at work.",
        settings_schema=JournalSettings,
        fields=(("checkin_days", "Check-ins (days after completion)", "text", ()),),
    )
)
