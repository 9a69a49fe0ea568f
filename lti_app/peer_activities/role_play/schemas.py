"""Form input for role-play: scenarios, the checklist, ratings and feedback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from lti_app.peer_activities.role_play.models import RolePlayChecklistItem
from lti_app.peer_activities.role_play.scenarios import MAX_ITEMS, SCALE_MAX

CARD_LIMIT = 20000


class ScenarioInput(Schema):
    title = fields.String(
        required=True,
        validate=validate.Length(min=1, max=255),
        error_messages={"required": "Give the scenario a title."},
    )
    practitioner_card = fields.String(load_default="", validate=validate.Length(max=CARD_LIMIT))
    client_card = fields.String(load_default="", validate=validate.Length(max=CARD_LIMIT))
    observer_card = fields.String(load_default="", validate=validate.Length(max=CARD_LIMIT))


def scenario_input(form: Mapping[str, Any]) -> dict[str, str]:
    raw = {k: str(form.get(k, "")) for k in ScenarioInput().fields}
    raw["title"] = raw["title"].strip()
    if not raw["title"]:
        raise ValidationError({"title": ["Give the scenario a title."]})
    loaded: dict[str, str] = ScenarioInput().load(raw)
    return loaded


def checklist_input(text: str) -> list[tuple[str, str]]:
    """One item per line, ``Skill: what the practitioner does``. A line without a
    colon is an item of the skill "General"."""
    items: list[tuple[str, str]] = []
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        skill, sep, behaviour = line.partition(":")
        if not sep:
            skill, behaviour = "General", line
        skill, behaviour = skill.strip()[:120], behaviour.strip()[:255]
        if not skill or not behaviour:
            errors.append(f"Line {number}: write it as 'Skill: what the practitioner does'.")
            continue
        if (skill, behaviour) not in items:
            items.append((skill, behaviour))
    if len(items) > MAX_ITEMS:
        errors.append(f"Keep the checklist to {MAX_ITEMS} items at most.")
    if errors:
        raise ValidationError({"checklist": errors})
    return items


def ratings_input(
    form: Mapping[str, Any], items: Sequence[RolePlayChecklistItem]
) -> dict[str, int]:
    """``rating-<item id>`` fields: every checklist item rated 1..SCALE_MAX."""
    ratings: dict[str, int] = {}
    missing: list[str] = []
    for item in items:
        raw = str(form.get(f"rating-{item.public_id}", "")).strip()
        if not raw.isdigit() or not 1 <= int(raw) <= SCALE_MAX:
            missing.append(item.text)
            continue
        ratings[item.public_id] = int(raw)
    if missing:
        raise ValidationError(
            {
                "ratings": [
                    "Rate every item of the checklist. Not rated: " + "; ".join(missing) + "."
                ]
            }
        )
    return ratings
