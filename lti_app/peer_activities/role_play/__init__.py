"""Role-play pairings: rotating practitioner / client / observer rounds.

Layout: ``models``; ``scenarios``
(authoring); ``lookups`` (read-only finds, who owes what); ``services`` (rotation,
per-round flow, feedback, absentees); ``completion`` (rule → grade outbox);
``visibility`` (what a person may read); ``panel`` (what the activity page shows,
per audience); ``notices`` (none: the panel says what is next); ``schemas``;
``views`` (blueprint ``role_play``); ``activity`` (what it plugs into the tool,
see lti_app.peer_activities.registry). This module: the deep-linking settings.
The rotation itself is pure: lti_app.domain.rotation.
"""

from marshmallow import fields, validate

from lti_app.peer_activities.grouping.size_settings import (
    RolePlaySizes,
)

#: Completion rules: every round played and every owed feedback given (default), or
#: every round played (reached its feedback step).
COMPLETION_RULES = ("rounds_and_feedback", "rounds_played")


class RolePlaySettings(RolePlaySizes):
    #: Absent (the default): each group plays one round per member, so everyone is
    #: practitioner once (pairs 2, triads 3, groups of 4 play 4). A number fixes it
    #: for every group; the instructor is told who would then never practise.
    rounds = fields.Integer(
        validate=validate.Range(
            min=1, max=12, error="Choose between 1 and 12 rounds, or one round per member."
        ),
        metadata={
            "label": "Rounds",
            "choices": (
                ("", "One per member, so everyone practises (pairs 2, triads 3, groups of 4: 4)"),
                *((n, f"{n} round{'s' if n > 1 else ''} for every group") for n in range(1, 9)),
            ),
        },
    )
    #: Length of a live round, for the group's countdown timer.
    round_minutes = fields.Integer(
        load_default=10,
        validate=validate.Range(min=1, max=120),
        metadata={
            "label": "Minutes per round",
            "unit": "minutes",
            "description": "The groups' countdown timer (1 to 120 minutes).",
        },
    )
    #: Absent means the default, ``rounds_and_feedback``.
    completion = fields.String(
        validate=validate.OneOf(COMPLETION_RULES),
        metadata={
            "label": "Complete when",
            "default": "rounds_and_feedback",
            "choices": (
                ("rounds_and_feedback", "All rounds played and feedback given"),
                ("rounds_played", "All rounds played"),
            ),
        },
    )
