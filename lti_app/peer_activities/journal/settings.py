"""The journal's settings of one activity, with their defaults (read-only)."""

from __future__ import annotations

from datetime import date

from lti_app.peer_activities.journal import ANCHORS, COMPLETION_RULES, DEFAULT_PROMPTS
from lti_app.peer_activities.models import Activity

MAX_PROMPTS = 8


def prompts(activity: Activity) -> list[str]:
    """The entry prompts, one per line of the setting; none set: What? So what? Now what?"""
    raw = str((activity.settings or {}).get("prompts") or "")
    found = [line.strip()[:300] for line in raw.splitlines() if line.strip()]
    return found[:MAX_PROMPTS] or list(DEFAULT_PROMPTS)


def checkin_days(activity: Activity) -> list[int]:
    raw = str((activity.settings or {}).get("checkin_days") or "30,60,90")
    days = sorted({int(d) for d in raw.split(",") if d.strip().isdigit() and int(d) > 0})
    return days or [30, 60, 90]


def anchor(activity: Activity) -> str:
    raw = (activity.settings or {}).get("anchor")
    return raw if raw in ANCHORS else ANCHORS[0]


def _date(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def course_end(activity: Activity) -> date | None:
    return _date((activity.settings or {}).get("course_end"))


def followup_closes(activity: Activity) -> date | None:
    """After this UTC day the course's follow-up has concluded: no reminders, no answers."""
    return _date((activity.settings or {}).get("followup_closes"))


def entries_required(activity: Activity) -> int:
    raw = (activity.settings or {}).get("entries_required")
    return raw if isinstance(raw, int) and 1 <= raw <= 20 else 1


def completion_rule(activity: Activity) -> str:
    raw = (activity.settings or {}).get("completion")
    return raw if raw in COMPLETION_RULES else COMPLETION_RULES[0]
