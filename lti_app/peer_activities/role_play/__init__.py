"""Role-play pairings: rotating practitioner / client / observer rounds."""

from marshmallow import Schema, fields, validate

from lti_app.peer_activities.registry import ActivityType, register


class RolePlaySettings(Schema):
    group_size = fields.Integer(load_default=3, validate=validate.OneOf([2, 3, 4]))
    rounds = fields.Integer(load_default=3, validate=validate.Range(min=1, max=6))


ROLE_PLAY = register(
    ActivityType(
        key="role_play",
        label="Role-play pairings",
        summary="Pairs or triads rehearse a practice as practitioner, client and observer; "
        "roles rotate each round and the observer's checklist becomes written feedback.",
        settings_schema=RolePlaySettings,
        fields=(
            ("group_size", "People per group", "select",
             (("3", "Triads: practitioner, client, observer"),
              ("2", "Pairs: practitioner and client"),
              ("4", "Groups of four: two observers"))),
            ("rounds", "Rounds", "number", ()),
        ),
    )
)
