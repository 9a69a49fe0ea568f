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
    summary: str
    #: Settings the instructor chooses when adding the activity (deep linking).
    settings_schema: type[Schema]
    #: Label of the completion line item declared through deep linking.
    completion_label: str = "completion"
    #: Form fields shown on the deep-linking page: (name, label, input type,
    #: choices as (value, label) pairs for selects).
    fields: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = field(
        default_factory=tuple)


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
