"""Change an activity's settings after it was created: the Settings page of every
activity type.

The type's settings schema validates (the one deep linking loads); the type's rules
module (``ActivityType.rules``) says which settings are fixed now that people have
started, and does the follow-up work of a saved change (a journal reschedules its
unanswered check-ins). A refused change saves nothing and says why next to each
field it is about.

Side effects: updates the activity and flushes; the request commits.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from sqlalchemy.orm.attributes import flag_modified

from lti_app.extensions import db
from lti_app.peer_activities import settings_form
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.registry import ActivityType
from lti_app.peer_activities.settings_form import ActivityInputError

log = logging.getLogger(__name__)

TITLE_LIMIT = 255
DESCRIPTION_LIMIT = 2000


@dataclass(frozen=True)
class SettingsSaved:
    """What a save changed: setting names (and ``title``/``description``)."""

    changed: tuple[str, ...]


def _rules(kind: ActivityType) -> ModuleType | None:
    return importlib.import_module(kind.rules) if kind.rules else None


def locked_settings(activity: Activity, kind: ActivityType) -> dict[str, str]:
    """{setting: why it cannot change now}, for the form to say before anyone tries."""
    rules = _rules(kind)
    found: dict[str, str] = rules.locked(activity) if rules is not None else {}
    return found


def edit_settings(
    activity: Activity,
    kind: ActivityType,
    form: Mapping[str, Any],
    *,
    prefix: str = "",
    with_title: bool = True,
) -> SettingsSaved:
    """Validate and save the settings typed in ``form`` (fields ``prefix + name``;
    with ``with_title`` also ``title`` and ``description``).

    Raises ``ActivityInputError`` with messages per field: the schema's, or the
    rules' reason a setting cannot change now. Nothing is saved then."""
    errors: dict[str, list[str]] = {}
    title, description = activity.title, activity.description
    if with_title:
        title = str(form.get("title", "")).strip()[:TITLE_LIMIT]
        description = str(form.get("description", "")).strip()[:DESCRIPTION_LIMIT]
        if not title:
            errors["title"] = ["Give the activity a title."]
    before = settings_form.effective(kind, activity.settings)
    merged = {
        **dict(activity.settings or {}),
        **settings_form.raw_from_form(kind, form, prefix=prefix),
    }
    after: dict[str, Any] = {}
    changed: list[str] = []
    try:
        after = settings_form.load(kind, merged)
    except ActivityInputError as exc:
        errors.update(exc.messages)
    else:
        changed = settings_form.changed(kind, activity.settings, after)
        locked = locked_settings(activity, kind) if changed else {}
        errors.update({name: [locked[name]] for name in changed if name in locked})
    if errors:
        raise ActivityInputError(errors)
    if title != activity.title:
        changed.insert(0, "title")
    if description != activity.description:
        changed.insert(1 if title != activity.title else 0, "description")
    activity.title, activity.description = title, description
    # Keys the schema does not know (kept by a feature outside the form) stay as they were.
    known = {s.name for s in settings_form.specs(kind)}
    activity.settings = {
        **{k: v for k, v in (activity.settings or {}).items() if k not in known},
        **after,
    }
    flag_modified(activity, "settings")
    db.session.flush()
    rules = _rules(kind)
    if rules is not None and changed:
        rules.applied(activity, before, settings_form.effective(kind, after))
    log.info("activity %s: settings changed (%s)", activity.public_id, ", ".join(changed))
    return SettingsSaved(changed=tuple(changed))


def confirmation(kind: ActivityType, activity: Activity, names: list[str]) -> list[str]:
    """ "Settings saved: …" in words, for the names a save reported (read back from the
    activity as it is now, so the message cannot say something the save did not do)."""
    if not names:
        return []
    parts: list[str] = []
    if "title" in names:
        parts.append(f"Title: {activity.title}")
    if "description" in names:
        parts.append("Instructions for participants updated")
    parts.extend(settings_form.describe_fields(kind, activity.settings, names))
    notes = {
        s.changed_note for s in settings_form.specs(kind) if s.name in names and s.changed_note
    }
    text = "Settings saved: " + "; ".join(parts)
    return [text if text.endswith((".", "?", "!")) else text + ".", *sorted(notes)]
