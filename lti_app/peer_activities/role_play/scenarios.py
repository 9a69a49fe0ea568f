"""Scenario authoring: scenarios with a card per role, and the observer checklist.

Side effects: inserts/updates/deletes rows and flushes; the request commits.
Card text is sanitised here, on the way in, so stored HTML is always safe.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select

from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.rich_text import rich_text
from lti_app.peer_activities.role_play.models import RolePlayChecklistItem, RolePlayScenario

log = logging.getLogger(__name__)

#: The rating scale of every checklist item.
SCALE = ((1, "Not yet"), (2, "Partly"), (3, "Mostly"), (4, "Fully"))
SCALE_MAX = len(SCALE)
#: At most this many checklist items per activity.
MAX_ITEMS = 30


@cache
def _in_order(model: type[RolePlayScenario] | type[RolePlayChecklistItem]) -> Select[Any]:
    """The ``:activity``'s scenarios or checklist items in their order (one statement
    per model, built once per process)."""
    return (
        select(model)
        .where(model.activity_id == bindparam("activity", type_=Integer))
        .order_by(model.position, model.id)
    )


def scenarios_of(activity: Activity) -> list[RolePlayScenario]:
    return list(db.session.scalars(_in_order(RolePlayScenario), {"activity": activity.id}))


def scenario_of(activity: Activity, public_id: str) -> RolePlayScenario | None:
    """Scoped lookup: another activity's scenario gives None."""
    found: RolePlayScenario | None = db.session.scalar(
        select(RolePlayScenario).where(
            RolePlayScenario.public_id == public_id, RolePlayScenario.activity_id == activity.id
        )
    )
    return found


def scenario_for_round(
    scenarios: Sequence[RolePlayScenario], number: int
) -> RolePlayScenario | None:
    """Round ``number`` plays the scenarios in order, starting again when they run out."""
    if not scenarios:
        return None
    return scenarios[(number - 1) % len(scenarios)]


def save_scenario(
    activity: Activity, data: Mapping[str, str], scenario: RolePlayScenario | None = None
) -> RolePlayScenario:
    """Create or update a scenario from validated input (cards sanitised here)."""
    if scenario is None:
        last = (
            db.session.scalar(
                select(func.max(RolePlayScenario.position)).where(
                    RolePlayScenario.activity_id == activity.id
                )
            )
            or 0
        )
        scenario = RolePlayScenario(activity_id=activity.id, position=last + 1)
        db.session.add(scenario)
    scenario.title = data["title"].strip()[:255]
    scenario.practitioner_card = rich_text(data.get("practitioner_card", ""))
    scenario.client_card = rich_text(data.get("client_card", ""))
    scenario.observer_card = rich_text(data.get("observer_card", ""))
    db.session.flush()
    log.info("role-play scenario %s saved (activity %s)", scenario.public_id, activity.public_id)
    return scenario


def delete_scenario(scenario: RolePlayScenario) -> None:
    db.session.delete(scenario)
    db.session.flush()


def checklist_of(activity: Activity) -> list[RolePlayChecklistItem]:
    return list(db.session.scalars(_in_order(RolePlayChecklistItem), {"activity": activity.id}))


def save_checklist(
    activity: Activity, items: Sequence[tuple[str, str]]
) -> list[RolePlayChecklistItem]:
    """Replace the checklist with ``items`` (skill, behaviour). An unchanged item
    keeps its id, so ratings already given for it still count."""
    existing = {(i.skill, i.text): i for i in checklist_of(activity)}
    kept: list[RolePlayChecklistItem] = []
    for position, (skill, text) in enumerate(items[:MAX_ITEMS], start=1):
        item = existing.pop((skill, text), None)
        if item is None:
            item = RolePlayChecklistItem(activity_id=activity.id, skill=skill, text=text)
            db.session.add(item)
        item.position = position
        kept.append(item)
    for gone in existing.values():
        db.session.delete(gone)
    db.session.flush()
    return kept


def checklist_as_text(items: Sequence[RolePlayChecklistItem]) -> str:
    return "\n".join(f"{i.skill}: {i.text}" for i in items)
