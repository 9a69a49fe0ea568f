"""The rubric editor's grid: criteria rows (name, maximum points, comment
required) each with its levels (points and what the level looks like).

The form posts every cell (``c0-name``, ``c0-max``, ``c0-required``,
``c0-l1-points``, ``c0-l1-text``, with ``count`` / ``c0-levels`` row counts) and
one ``action`` button: ``save``, ``preview``, ``add``, ``add-level:0``,
``remove:0``, ``remove-level:0:1``, ``up:0``, ``down:0``, ``reuse``,
``import``. Every action but ``save`` only redraws the grid (nothing is
stored), so rows can be added, removed and reordered without JavaScript. The
pipe text format (``schemas.rubric_input``) is kept as import/export.

Reuse is by name: the deployment's library and the other peer assessments of
the course, offered as a list; the option values are opaque keys, never shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import rubrics, schemas
from lti_app.peer_activities.peer_review.levels import format_points, levels_of
from lti_app.peer_activities.peer_review.services.rubric import CriterionInput, criteria

MAX_CRITERIA = 20
MAX_LEVELS = 10


@dataclass
class LevelRow:
    points: str = ""
    text: str = ""


@dataclass
class CriterionRow:
    name: str = ""
    max_points: str = "4"
    required: bool = False
    levels: list[LevelRow] = field(default_factory=list)


def rows_of(items: list[CriterionInput] | tuple[CriterionInput, ...]) -> list[CriterionRow]:
    """The grid of a rubric: every level with its points (spread levels get the
    points they are worth)."""
    return [
        CriterionRow(
            item.name,
            str(item.max_points),
            item.comment_required,
            [LevelRow(lv.value, lv.label) for lv in levels_of(item.levels, item.max_points)],
        )
        for item in items
    ]


def current_rows(activity: Activity) -> list[CriterionRow]:
    return rows_of(
        [
            CriterionInput(c.name, c.max_points, c.levels, c.comment_required)
            for c in criteria(activity)
        ]
    )


def _count(form: Mapping[str, Any], key: str, limit: int) -> int:
    try:
        return max(0, min(int(str(form.get(key, "0"))), limit))
    except ValueError:
        return 0


def rows_from_form(form: Mapping[str, Any]) -> list[CriterionRow]:
    """The grid as typed (nothing dropped, nothing checked)."""
    rows = []
    for i in range(_count(form, "count", MAX_CRITERIA + 1)):
        levels = [
            LevelRow(
                str(form.get(f"c{i}-l{j}-points", "")).strip(),
                " ".join(str(form.get(f"c{i}-l{j}-text", "")).split()),
            )
            for j in range(_count(form, f"c{i}-levels", MAX_LEVELS + 1))
        ]
        rows.append(
            CriterionRow(
                " ".join(str(form.get(f"c{i}-name", "")).split()),
                str(form.get(f"c{i}-max", "")).strip(),
                form.get(f"c{i}-required") == "1",
                levels,
            )
        )
    return rows


def apply_action(rows: list[CriterionRow], action: str) -> list[CriterionRow]:
    """The grid after one of the row buttons (see the module docstring)."""
    verb, _, rest = action.partition(":")
    args = [int(x) for x in rest.split(":") if x.isdigit()]
    at = args[0] if args and args[0] < len(rows) else None
    if verb == "add" and len(rows) < MAX_CRITERIA:
        rows.append(CriterionRow(levels=[LevelRow("0", ""), LevelRow("4", "")]))
    elif verb == "remove" and at is not None:
        del rows[at]
    elif verb == "up" and at is not None and at > 0:
        rows[at - 1], rows[at] = rows[at], rows[at - 1]
    elif verb == "down" and at is not None and at < len(rows) - 1:
        rows[at + 1], rows[at] = rows[at], rows[at + 1]
    elif verb == "add-level" and at is not None and len(rows[at].levels) < MAX_LEVELS:
        rows[at].levels.append(LevelRow())
    elif verb == "remove-level" and at is not None and len(args) > 1:
        del rows[at].levels[args[1] : args[1] + 1]
    return rows


def check(rows: list[CriterionRow]) -> tuple[list[CriterionInput], dict[str, list[str]]]:
    """The rubric the grid describes, or the messages for its cells (keyed by the
    field name; ``_schema`` for the whole rubric). Blank level rows are ignored."""
    errors: dict[str, list[str]] = {}
    items: list[CriterionInput] = []
    if not rows:
        errors["_schema"] = ["A rubric needs at least one criterion: add one."]
    names: set[str] = set()
    for i, row in enumerate(rows):
        problems = len(errors)
        if not row.name:
            errors[f"c{i}-name"] = ["Give the criterion a name."]
        elif row.name.casefold() in names:
            errors[f"c{i}-name"] = ["Another criterion has this name; give each its own."]
        names.add(row.name.casefold())
        top = _whole(row.max_points)
        if top is None or not 1 <= top <= 100:
            errors[f"c{i}-max"] = ["A whole number from 1 to 100."]
        lines = []
        seen: set[float] = set()
        for j, level in enumerate(row.levels):
            if not level.points and not level.text:
                continue
            value = _number(level.points)
            if not level.text:
                errors[f"c{i}-l{j}-text"] = ["Describe this level, or remove it."]
            if value is None:
                errors[f"c{i}-l{j}-points"] = ["Points, e.g. 2 or 2.5."]
            elif top is not None and not 0 <= value <= top:
                errors[f"c{i}-l{j}-points"] = [f"From 0 to {top}."]
            elif value in seen:
                errors[f"c{i}-l{j}-points"] = ["Another level is worth the same."]
            else:
                seen.add(value)
                lines.append((value, level.text))
        if len(errors) == problems and top is not None:
            text = "\n".join(f"{format_points(p)} | {t}" for p, t in sorted(lines))
            items.append(CriterionInput(row.name[:120], top, text, row.required))
    return items, errors


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _number(text: str) -> float | None:
    try:
        value = round(float(text), 2)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def as_text(rows: list[CriterionRow]) -> str:
    """The grid in the pipe text format (export); cells as typed."""
    return "\n".join(
        f"{row.name}{'*' if row.required else ''} | {row.max_points} | "
        + "; ".join(f"{lv.points} | {lv.text}" for lv in row.levels if lv.points or lv.text)
        for row in rows
    )


def import_text(text: str) -> tuple[list[CriterionRow], str]:
    """The grid of a rubric in the text format, or "" and why it cannot be read."""
    try:
        return rows_of(schemas.rubric_input(text)), ""
    except ValidationError as exc:
        return [], " ".join(str(m) for m in exc.messages)


# -- reuse by name -----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A rubric the editor can load: a library one or another activity's."""

    key: str
    name: str
    group: str


def sources(activity: Activity) -> list[Source]:
    """The library (saved, then built-in) and the other peer assessments of the
    course, by name."""
    found = [
        Source(f"lib:{e.public_id}", e.name, "Built-in rubrics" if e.starter else "Saved rubrics")
        for e in rubrics.library(activity)
    ]
    others = db.session.scalars(
        select(Activity)
        .where(
            Activity.registration_id == activity.registration_id,
            Activity.deployment_id == activity.deployment_id,
            Activity.course_id == activity.course_id,
            Activity.activity_type == "peer_review",
            Activity.id != activity.id,
        )
        .order_by(Activity.title)
    )
    found += [
        Source(f"act:{a.public_id}", a.title or "Untitled peer assessment", "This course")
        for a in others
    ]
    return found


def load_source(activity: Activity, key: str) -> list[CriterionRow] | None:
    """The grid of a source offered by :func:`sources` (None for anything else)."""
    kind, _, public_id = key.partition(":")
    if kind == "lib":
        entry = rubrics.library_entry(activity, public_id)
        return None if entry is None else rows_of(entry.criteria)
    if kind == "act":
        match = next((s for s in sources(activity) if s.key == key), None)
        if match is None:
            return None
        source = db.session.scalar(
            select(Activity).where(
                Activity.public_id == public_id,
                Activity.registration_id == activity.registration_id,
                Activity.deployment_id == activity.deployment_id,
            )
        )
        return None if source is None else current_rows(source)
    return None
