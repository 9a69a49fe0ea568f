"""The intake survey as a form: a row per challenge and a row per extra question
(the question, and its choices one per line — none for a free-text answer),
rows added/removed/reordered by buttons (``grid_form``), a preview of what
learners answer, and the line format (``SurveyInput``) kept as import/export.

The rows are turned into the line format and loaded through ``SurveyInput``, so
what is stored is exactly what the text editor stored; row problems are caught
first, next to their cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import ValidationError

from lti_app.peer_activities.grid_form import Row, apply_action, filled, rows_from_form
from lti_app.peer_activities.grouping.schemas import (
    MAX_CHALLENGES,
    MAX_CHOICES,
    MAX_QUESTIONS,
    SurveyInput,
)

CHALLENGE = ("ch", ("text",), {"text": ""}, MAX_CHALLENGES)
QUESTION = ("q", ("label", "choices"), {"label": "", "choices": ""}, MAX_QUESTIONS)


def rows_of(challenges: Sequence[str], questions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "ch": [{"text": c} for c in challenges],
        "q": [{"label": q["label"], "choices": "\n".join(q.get("choices", []))} for q in questions],
    }


def rows_from(form: Mapping[str, Any]) -> dict[str, Any]:
    return {
        prefix: rows_from_form(form, prefix, columns, limit)
        for prefix, columns, _, limit in (CHALLENGE, QUESTION)
    }


def apply(grids: dict[str, Any], action: str) -> None:
    for prefix, _, blank, limit in (CHALLENGE, QUESTION):
        apply_action(grids[prefix], action, prefix, blank, limit)


def _choices(row: Row) -> list[str]:
    return [c.strip() for c in row["choices"].splitlines() if c.strip()]


def as_text(grids: dict[str, Any]) -> dict[str, str]:
    """The rows in the line format (``challenges``, ``questions``)."""
    challenges = "\n".join(row["text"] for _, row in filled(grids["ch"]))
    questions = "\n".join(
        " | ".join([row["label"], *_choices(row)]) for _, row in filled(grids["q"])
    )
    return {"challenges": challenges, "questions": questions}


def check(grids: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The survey (``challenges``, ``questions`` as stored), or the messages: per
    cell (``ch0-text``, ``q1-choices``) and per list (``challenges``, ``questions``)."""
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, row in filled(grids["ch"]):
        if len(row["text"]) > 80:
            errors[f"ch{i}-text"] = ["Keep it under 80 characters."]
        elif "|" in row["text"]:
            errors[f"ch{i}-text"] = ["Leave out the | sign."]
        elif row["text"].casefold() in seen:
            errors[f"ch{i}-text"] = ["This challenge is already in the list."]
        seen.add(row["text"].casefold())
    for i, row in filled(grids["q"]):
        choices = _choices(row)
        if not row["label"]:
            errors[f"q{i}-label"] = ["Write the question."]
        elif len(row["label"]) > 200 or "|" in row["label"]:
            errors[f"q{i}-label"] = ["Up to 200 characters, without the | sign."]
        if len(choices) == 1 or len(choices) > MAX_CHOICES:
            errors[f"q{i}-choices"] = [
                f"Give 2 to {MAX_CHOICES} choices, one per line, or none for a written answer."
            ]
        elif any(len(c) > 80 or "|" in c for c in choices):
            errors[f"q{i}-choices"] = ["Keep each choice under 80 characters, without |."]
    if errors:
        return None, errors
    try:
        return SurveyInput().load(as_text(grids), unknown="exclude"), {}
    except ValidationError as exc:
        found = exc.normalized_messages()  # type: ignore[no-untyped-call]
        return None, {k: [str(m) for m in v] for k, v in found.items()}


def import_text(form: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The rows of a survey pasted in the line format, or the messages for the
    two text boxes."""
    text = {k: str(form.get(k, "")) for k in ("challenges", "questions")}
    try:
        data = SurveyInput().load(text, unknown="exclude")
    except ValidationError as exc:
        found = exc.normalized_messages()  # type: ignore[no-untyped-call]
        return None, {k: [str(m) for m in v] for k, v in found.items()}
    return rows_of(data["challenges"], data["questions"]), {}
