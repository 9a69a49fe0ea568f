"""Group size as a range, in the settings of every activity that groups people.

An activity stores ``group_size_min`` and ``group_size_max``; the matching
engine picks the number of groups and their sizes inside that range for the
cohort at hand (lti_app.domain.matching.sizes). Activities created before
ranges existed stored one ``group_size``; it is still read:

* role-play: ``k`` is the range ``k`` to ``k`` (with the engine's documented
  leftover rule, exactly the old behaviour: groups of ``k``, a few one larger);
* case discussion: ``k`` is ``k - 2`` to ``k`` (never below 3), as before.

A form that still posts ``group_size`` alone is read the same way.
Only marshmallow here: the activity packages import this at registration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema


@dataclass(frozen=True)
class SizeRule:
    """The sizes an activity type allows, and its defaults."""

    floor: int
    ceiling: int
    default_min: int
    default_max: int
    #: Legacy single size ``k`` → (min, max).
    legacy_below: int


SIZE_RULES: dict[str, SizeRule] = {
    # Triads where the cohort allows (the middle of 2-4), pairs and fours absorb leftovers.
    "role_play": SizeRule(floor=2, ceiling=6, default_min=2, default_max=4, legacy_below=0),
    # Groups of 4 or 5 where possible; 3 lets a manager chain get its own groups.
    "case_discussion": SizeRule(floor=3, ceiling=9, default_min=3, default_max=6, legacy_below=2),
}


def legacy_range(activity_type: str, size: int) -> tuple[int, int]:
    rule = SIZE_RULES[activity_type]
    return max(rule.floor, size - rule.legacy_below), size


def size_range(activity_type: str, settings: Mapping[str, Any] | None) -> tuple[int, int]:
    """The (min, max) group size an activity's stored settings mean."""
    rule = SIZE_RULES.get(activity_type, SIZE_RULES["role_play"])
    settings = settings or {}
    low = _valid(settings.get("group_size_min"), rule)
    high = _valid(settings.get("group_size_max"), rule)
    if low is not None and high is not None and low <= high:
        return low, high
    legacy = _valid(settings.get("group_size"), rule)
    if legacy is not None and activity_type in SIZE_RULES:
        return legacy_range(activity_type, legacy)
    return rule.default_min, rule.default_max


def _valid(value: Any, rule: SizeRule) -> int | None:
    """``value`` when it is a size the rule allows, else None."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and rule.floor <= value <= rule.ceiling
    ):
        return value
    return None


def _size_field(activity_type: str, default: str) -> fields.Integer:
    rule = SIZE_RULES[activity_type]
    smallest = default == "default_min"
    description = (
        f"{rule.floor} to {rule.ceiling}."
        if smallest
        else f"{rule.floor} to {rule.ceiling}. Peerlift picks the sizes in this range "
        "that suit the cohort, so everyone has a group."
    )
    return fields.Integer(
        load_default=getattr(rule, default),
        validate=validate.Range(
            min=rule.floor,
            max=rule.ceiling,
            error=f"Choose a number from {rule.floor} to {rule.ceiling}.",
        ),
        metadata={
            "label": "Smallest group" if smallest else "Largest group",
            "unit": "people",
            "description": description,
        },
    )


class _SizeRange(Schema):
    """The two size fields: the legacy ``group_size`` read, min ≤ max checked
    (the message sits next to the largest-group field)."""

    ACTIVITY = ""
    #: Posted names the schema still reads (see ``_legacy_size``).
    LEGACY_FIELDS = ("group_size",)

    @pre_load
    def _legacy_size(self, data: Any, **_: Any) -> Any:
        if not isinstance(data, Mapping) or "group_size" not in data:
            return data
        out = {k: v for k, v in data.items() if k != "group_size"}
        if "group_size_min" in out or "group_size_max" in out:
            return out
        try:
            size = int(str(data["group_size"]).strip())
        except ValueError:
            raise ValidationError("Enter a whole number.", "group_size_max") from None
        out["group_size_min"], out["group_size_max"] = legacy_range(self.ACTIVITY, size)
        return out

    @validates_schema
    def _ordered(self, data: Mapping[str, Any], **_: Any) -> None:
        low, high = data.get("group_size_min"), data.get("group_size_max")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            raise ValidationError(
                f"The largest group cannot be smaller than the smallest ({low}).", "group_size_max"
            )


class RolePlaySizes(_SizeRange):
    ACTIVITY = "role_play"
    group_size_min = _size_field("role_play", "default_min")
    group_size_max = _size_field("role_play", "default_max")


class CaseDiscussionSizes(_SizeRange):
    ACTIVITY = "case_discussion"
    group_size_min = _size_field("case_discussion", "default_min")
    group_size_max = _size_field("case_discussion", "default_max")
