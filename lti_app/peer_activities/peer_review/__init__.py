"""Peer assessment with feedback: fair allocation, rubrics, feedback on feedback."""

from marshmallow import Schema, fields, validate

from lti_app.peer_activities.registry import ActivityType, register


class PeerReviewSettings(Schema):
    reviews_per_submission = fields.Integer(load_default=3, validate=validate.Range(min=1, max=6))
    anonymity = fields.String(
        load_default="double_blind",
        validate=validate.OneOf(["double_blind", "single_blind", "open"]),
    )


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
        ),
    )
)
