"""Loads every activity package so each registers its type (kept apart from the
registry so the activities, which import the registry, never import each other)."""


def load_all() -> None:
    from lti_app.peer_activities import (  # noqa: F401
        case_discussion,
        journal,
        peer_review,
        role_play,
    )
