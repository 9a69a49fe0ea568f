"""The observer checklist as a form: one row per item (skill, what the
practitioner does), rows added/removed/reordered by buttons (``grid_form``),
reuse from another role-play of the course by name, and the line format
(``Skill: behaviour``, ``schemas.checklist_input``) kept as import/export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from marshmallow import ValidationError
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.grid_form import Row, filled
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play.models import RolePlayChecklistItem
from lti_app.peer_activities.role_play.scenarios import MAX_ITEMS, checklist_of
from lti_app.peer_activities.role_play.schemas import checklist_input

PREFIX = "item"
COLUMNS = ("skill", "text")
BLANK: Row = {"skill": "", "text": ""}
#: The skill of an item whose skill is left empty (as in the line format).
GENERAL = "General"


def rows_of(items: Sequence[tuple[str, str]]) -> list[Row]:
    return [{"skill": skill, "text": text} for skill, text in items]


def current_rows(activity: Activity) -> list[Row]:
    return rows_of([(i.skill, i.text) for i in checklist_of(activity)])


def check(rows: list[Row]) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """The checklist the rows describe (empty rows ignored), or the messages for
    their cells."""
    errors: dict[str, list[str]] = {}
    items: list[tuple[str, str]] = []
    for i, row in filled(rows):
        skill = " ".join(row["skill"].split())[:120] or GENERAL
        text = " ".join(row["text"].split())
        if not text:
            errors[f"{PREFIX}{i}-text"] = ["Say what the practitioner does."]
        elif len(text) > 255:
            errors[f"{PREFIX}{i}-text"] = ["At most 255 characters."]
        elif (skill, text) in items:
            errors[f"{PREFIX}{i}-text"] = ["The same item is already in the list."]
        else:
            items.append((skill, text))
    if len(items) > MAX_ITEMS:
        errors["_schema"] = [f"Keep the checklist to {MAX_ITEMS} items at most."]
    return items, errors


def as_text(rows: list[Row]) -> str:
    return "\n".join(
        f"{row['skill'] or GENERAL}: {row['text']}" for _, row in filled(rows) if row["text"]
    )


def import_text(text: str) -> tuple[list[Row], str]:
    try:
        return rows_of(checklist_input(text)), ""
    except ValidationError as exc:
        found = exc.normalized_messages()  # type: ignore[no-untyped-call]
        return [], " ".join(str(m) for m in found.get("checklist", [str(exc)]))


@dataclass(frozen=True)
class PreviewItem:
    """A row as the rating form shows it (``role_play/_ratings.html``)."""

    public_id: str
    skill: str
    text: str


def preview(items: list[tuple[str, str]]) -> list[PreviewItem]:
    return [PreviewItem(f"preview{n}", skill, text) for n, (skill, text) in enumerate(items)]


def sources(activity: Activity) -> list[Activity]:
    """The other role-plays of the course (offered by title)."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(
                Activity.registration_id == activity.registration_id,
                Activity.deployment_id == activity.deployment_id,
                Activity.course_id == activity.course_id,
                Activity.activity_type == "role_play",
                Activity.id != activity.id,
            )
            .order_by(Activity.title)
        )
    )


def load_source(activity: Activity, public_id: str) -> list[Row] | None:
    source = next((a for a in sources(activity) if a.public_id == public_id), None)
    if source is None:
        return None
    found = db.session.scalars(
        select(RolePlayChecklistItem)
        .where(RolePlayChecklistItem.activity_id == source.id)
        .order_by(RolePlayChecklistItem.position, RolePlayChecklistItem.id)
    )
    return rows_of([(i.skill, i.text) for i in found])
