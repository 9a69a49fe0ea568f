"""Activity types known to the tool, for deep linking and for dispatching launches.

Each activity package registers itself here at import; the launch and deep
linking code only ever talks to this registry, never to a specific activity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import Schema


@dataclass(frozen=True)
class ActivityType:
    key: str
    label: str
    #: One line about the activity; ``{setting}`` reads that setting in words
    #: (lti_app.peer_activities.settings_form.summary).
    summary: str
    #: Settings the instructor chooses when adding the activity (deep linking) and
    #: changes later on its Settings page; each field's ``metadata`` says how it reads
    #: (see lti_app.peer_activities.settings_form).
    settings_schema: type[Schema]
    #: Label of the completion line item declared through deep linking.
    completion_label: str = "completion"
    #: Optional form hints for fields whose schema metadata has none: (name, label,
    #: input type, choices as (value, label) pairs for selects).
    fields: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = field(
        default_factory=tuple)
    #: Module (dotted path) with the rules for changing settings once people have
    #: started: ``locked(activity) -> {setting: why it cannot change now}`` and
    #: ``applied(activity, before, after) -> None`` (follow-up work of a saved change).
    rules: str = ""


_TYPES: dict[str, ActivityType] = {}


def register(activity_type: ActivityType) -> ActivityType:
    _TYPES[activity_type.key] = activity_type
    return activity_type


def get(key: str | None) -> ActivityType | None:
    return _TYPES.get(key or "")


#: The order people meet the activities in (the product brief's order).
_ORDER = ("role_play", "peer_review", "case_discussion", "journal")


def all_types() -> list[ActivityType]:
    return sorted(_TYPES.values(),
                  key=lambda t: _ORDER.index(t.key) if t.key in _ORDER else len(_ORDER))
