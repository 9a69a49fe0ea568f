"""Form input and JSON output of the journal.

Input is parsed into the services' dataclasses (raising ``ValidationError``);
output has one schema per audience (author and staff; a group-mate reading a
shared entry). Which entries reach a serializer at all is ``visibility``'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from lti_app.peer_activities.journal import settings
from lti_app.peer_activities.journal.models import APPLIED, JournalActionItem
from lti_app.peer_activities.journal.services import checkins
from lti_app.peer_activities.journal.services.checkins import CheckinInput
from lti_app.peer_activities.journal.services.entries import EntryInput
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.rich_text import plain

TEXT_LIMIT = 4000


def _getlist(form: Mapping[str, Any], name: str) -> list[str]:
    getter = getattr(form, "getlist", None)
    values = getter(name) if getter else form.get(name, [])
    if isinstance(values, str):
        values = [values]
    return [str(v) for v in values]


def _text(form: Mapping[str, Any], name: str, limit: int = TEXT_LIMIT) -> str:
    return " ".join(str(form.get(name, "")).split())[:limit]


def _multiline(form: Mapping[str, Any], name: str, limit: int = TEXT_LIMIT) -> str:
    return str(form.get(name, "")).strip().replace("\r\n", "\n")[:limit]


def entry_input(activity: Activity, form: Mapping[str, Any]) -> EntryInput:
    """``response-<n>`` per prompt (n from 0), ``linked_activity``, ``skills``
    (comma-separated) and ``shared`` (checkbox)."""
    prompts = settings.prompts(activity)
    responses = [str(form.get(f"response-{n}", "")) for n in range(len(prompts))]
    skills = [s.strip() for s in str(form.get("skills", "")).split(",") if s.strip()]
    return EntryInput(
        responses=responses,
        linked_activity=str(form.get("linked_activity", "")),
        skills=skills,
        shared_with_group=form.get("shared") in ("1", "on", "yes"),
    )


class ItemInput(Schema):
    what = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        error_messages={"required": "Say what you will try."},
    )
    by_when = fields.Date(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": "Give the date as YYYY-MM-DD."},
    )
    evidence = fields.String(load_default="", validate=validate.Length(max=1000))


def item_input(form: Mapping[str, Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "what": _text(form, "what", 600),
        "evidence": _text(form, "evidence", 1100),
    }
    if not raw["what"]:
        raise ValidationError({"what": ["Say what you will try."]})
    by_when = str(form.get("by_when", "")).strip()
    raw["by_when"] = by_when or None
    loaded: dict[str, Any] = ItemInput().load(raw)
    return loaded


def checkin_input(form: Mapping[str, Any], items: list[JournalActionItem]) -> CheckinInput:
    """``applied-<item id>``, ``barriers`` (picked, repeated), ``barrier_text``,
    ``share_with`` (picked, repeated), ``share_how``, ``confidence`` 1–5."""
    errors: dict[str, list[str]] = {}
    applied = {i.public_id: str(form.get(f"applied-{i.public_id}", "")) for i in items}
    if any(v not in APPLIED for v in applied.values()):
        errors["applied"] = ["Say for every plan item whether you applied it."]
    barriers = [b for b in _getlist(form, "barriers") if b in checkins.BARRIERS]
    share_with = [s for s in _getlist(form, "share_with") if s in checkins.SHARE_WITH]
    raw_conf = str(form.get("confidence", "")).strip()
    if not raw_conf.isdigit() or not 1 <= int(raw_conf) <= 5:
        errors["confidence"] = ["Choose how confident you are, from 1 to 5."]
    if errors:
        raise ValidationError(errors)
    return CheckinInput(
        applied=applied,
        barriers=list(dict.fromkeys(barriers)),
        barrier_text=_multiline(form, "barrier_text"),
        share_with=list(dict.fromkeys(share_with)),
        share_how=_multiline(form, "share_how"),
        confidence=int(raw_conf),
    )


class EntryOut(Schema):
    """An entry as its author or staff read it."""

    id = fields.String(attribute="public_id")
    created_at = fields.DateTime()
    responses = fields.Method("_responses")
    skills = fields.List(fields.String())
    shared_with_group = fields.Boolean()
    author = fields.Method("_author")

    def _responses(self, entry: Any) -> list[dict[str, str]]:
        return [{"prompt": r["prompt"], "text": plain(r["html"])} for r in entry.responses]

    def _author(self, entry: Any) -> str:
        return str(entry.person.display_name)


class SharedEntryOut(Schema):
    """A group-mate's shared entry, as another learner reads it: its content and
    tags, not its sharing state."""

    id = fields.String(attribute="public_id")
    created_at = fields.DateTime()
    responses = fields.Method("_responses")
    skills = fields.List(fields.String())
    author = fields.Method("_author")

    _responses = EntryOut._responses
    _author = EntryOut._author
