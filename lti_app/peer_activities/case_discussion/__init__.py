"""Case discussions and peer coaching in small groups, with a summary for everyone.

Layout: ``models``; ``cases`` (case authoring, links) and ``attachments`` (files);
``lookups`` (scoped finds, who may read or facilitate a group, participation);
``services`` (threads, posts, mentions, reactions, moderation, nudges,
facilitators); ``coaching`` (peer-coaching rounds: rotation, stages, plans);
``summaries`` (the four-section summary, publishing, the insights library);
``completion`` (rule → grade outbox); ``notices`` (what a person meets
first at launch); ``panel`` (what pages show, per audience); ``schemas``
(form input); ``views`` and ``facilitation_views`` (blueprint
``case_discussion``); ``activity`` (what it plugs into the tool, see
lti_app.peer_activities.registry). This module: the deep-linking settings.
"""

from marshmallow import fields, validate

from lti_app.peer_activities.grouping.size_settings import (
    CaseDiscussionSizes,
)

MODES = ("case", "peer_coaching")
#: Completion asks for the group's published summary to be read, or not.
SUMMARY_RULES = ("read", "ignore")


class CaseDiscussionSettings(CaseDiscussionSizes):
    mode = fields.String(
        load_default="case",
        validate=validate.OneOf(MODES),
        metadata={
            "label": "Format",
            "choices": (
                ("case", "Case discussion in small groups"),
                ("peer_coaching", "Peer coaching: a member presents a real challenge"),
            ),
        },
    )
    #: Peer coaching: rounds per group (the presenter rotates through the members).
    rounds = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=9),
        metadata={
            "label": "Peer coaching rounds",
            "description": "Peer coaching only: a different presenter each round (1 to 9).",
        },
    )
    #: Completion: posts a learner writes in their group …
    completion_posts = fields.Integer(
        load_default=2,
        validate=validate.Range(min=0, max=50),
        metadata={
            "label": "Posts needed to complete",
            "unit": "posts",
            "description": "0 to 50 posts in their group's threads.",
        },
    )
    #: … and whether they must have read the group's published summary.
    completion_summary = fields.String(
        load_default="read",
        validate=validate.OneOf(SUMMARY_RULES),
        metadata={
            "label": "Also needed to complete",
            "choices": (
                ("read", "Reading the group's published summary"),
                ("ignore", "Nothing else"),
            ),
        },
    )
