"""Case discussions and peer coaching in small groups, with a summary for everyone."""

from marshmallow import Schema, fields, validate

from lti_app.peer_activities.registry import ActivityType, register


class CaseDiscussionSettings(Schema):
    mode = fields.String(load_default="case", validate=validate.OneOf(["case", "peer_coaching"]))
    group_size = fields.Integer(load_default=6, validate=validate.Range(min=3, max=9))


CASE_DISCUSSION = register(
    ActivityType(
        key="case_discussion",
        label="Case discussion",
        summary="Small groups discuss a case, or a member presents a real challenge and the "
        "group brainstorms; a facilitator publishes a structured summary to everyone.",
        settings_schema=CaseDiscussionSettings,
        fields=(
            ("mode", "Format", "select",
             (("case", "Case discussion in small groups"),
              ("peer_coaching", "Peer coaching: a member presents a real challenge"))),
            ("group_size", "People per group (3-9)", "number", ()),
        ),
    )
)
