"""Phases of a peer-review activity and their due dates (UTC, in the settings).

submission → review → feedback (authors rate reviews; skipped when that phase is
off) → results. A phase without a date never ends on its own. Dates inform and
flag lateness; they never lock anyone out: a late submission is still accepted
(and still gets reviews), and a late review still counts. The instructor moves a
stuck learner on (``grading.move_on``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

SUBMISSION, REVIEW, FEEDBACK, RESULTS = "submission", "review", "feedback", "results"
LABELS = {
    SUBMISSION: "Submit your work",
    REVIEW: "Review peers",
    FEEDBACK: "Rate the feedback you received",
    RESULTS: "Results",
}
DUE_KEYS = {SUBMISSION: "submission_due", REVIEW: "review_due", FEEDBACK: "feedback_due"}


def parse_due(value: Any) -> datetime | None:
    """A stored due date ("YYYY-MM-DDTHH:MM", UTC), or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        return None


@dataclass(frozen=True)
class Phase:
    key: str
    label: str
    due: datetime | None
    current: bool
    past: bool


def timeline(settings: dict[str, Any], now: datetime) -> list[Phase]:
    """The activity's phases in order, which one is current, which are past."""
    keys = [SUBMISSION, REVIEW] + ([FEEDBACK] if settings.get("rate_feedback", True) else [])
    out: list[Phase] = []
    found_current = False
    for key in keys:
        due = parse_due(settings.get(DUE_KEYS[key]))
        past = due is not None and now >= due
        current = not past and not found_current
        found_current = found_current or current
        out.append(Phase(key, LABELS[key], due, current, past))
    out.append(Phase(RESULTS, LABELS[RESULTS], None, not found_current, False))
    return out


def current(settings: dict[str, Any], now: datetime) -> str:
    return next(p.key for p in timeline(settings, now) if p.current)


def overdue(settings: dict[str, Any], key: str, now: datetime) -> bool:
    due = parse_due(settings.get(DUE_KEYS[key]))
    return due is not None and now >= due


def is_late(settings: dict[str, Any], submitted_at: datetime) -> bool:
    due = parse_due(settings.get(DUE_KEYS[SUBMISSION]))
    return due is not None and submitted_at > due
