"""Phases of a peer-review activity and their due dates (UTC, in the settings).

Automatic (the default): submission → review → feedback (authors rate reviews;
skipped when that phase is off) → results, the current phase read from the due
dates. A phase without a date never ends on its own. Dates inform and flag
lateness; they never lock anyone out: a late submission is still accepted (and
still gets reviews), and a late review still counts. The instructor moves a stuck
learner on (``grading.move_on``).

By hand: the instructor picks the phase (setting ``phase``, with who and when in
``phase_set_by`` / ``phase_set_at``; see ``phase_control``): set-up → submission →
review → feedback → closed. That choice overrides the dates, and ``RULES`` (one
table) says what a learner may do in it; the services refuse the rest with
``refusal``'s message. Going back to automatic clears the choice. When an author
sees the reviews of their work follows the setting ``results_reveal``
(``revealed``).

Pure: reads the settings dict only, so the activity page costs no statement more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

SUBMISSION, REVIEW, FEEDBACK, RESULTS = "submission", "review", "feedback", "results"
SETUP, CLOSED = "setup", "closed"
#: The phases an instructor can switch to by hand, in order.
MANUAL = (SETUP, SUBMISSION, REVIEW, FEEDBACK, CLOSED)
LABELS = {
    SUBMISSION: "Submit your work",
    REVIEW: "Review peers",
    FEEDBACK: "Rate the feedback you received",
    RESULTS: "Results",
}
MANUAL_LABELS = {
    SETUP: "Set-up",
    SUBMISSION: "Submit your work",
    REVIEW: "Review peers",
    FEEDBACK: "Read and rate your feedback",
    CLOSED: "Closed: results",
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


def manual_phase(settings: dict[str, Any]) -> str | None:
    """The phase the instructor set by hand, or None (automatic, from the dates)."""
    value = settings.get("phase")
    return value if value in MANUAL else None


def timeline(settings: dict[str, Any], now: datetime) -> list[Phase]:
    """The activity's phases in order, which one is current, which are past."""
    chosen = manual_phase(settings)
    if chosen is not None:
        at = MANUAL.index(chosen)
        return [
            Phase(
                key,
                MANUAL_LABELS[key],
                parse_due(settings.get(DUE_KEYS.get(key, ""))),
                n == at,
                n < at,
            )
            for n, key in enumerate(MANUAL)
        ]
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


# -- what a learner may do in each phase ------------------------------------------------

#: What a learner does. ``RESPOND``: rate a review received, hand in a revision.
SUBMIT, EDIT, REVIEW_WORK, RESPOND, SEE_RESULTS = "submit", "edit", "review", "respond", "results"
#: The row of automatic mode: dates never lock anyone out.
AUTO = "auto"

#: The rules, one row per phase: what a learner may do. Results: with
#: ``SEE_RESULTS`` in the row, an author sees the reviews of their work whatever
#: ``results_reveal`` says; in a phase of ``_REVEAL_BY_SETTING``, as it says; else
#: not at all.
RULES: dict[str, frozenset[str]] = {
    AUTO: frozenset({SUBMIT, EDIT, REVIEW_WORK, RESPOND}),
    SETUP: frozenset(),
    SUBMISSION: frozenset({SUBMIT, EDIT}),
    REVIEW: frozenset({SUBMIT, EDIT, REVIEW_WORK, RESPOND}),
    FEEDBACK: frozenset({RESPOND, SEE_RESULTS}),
    CLOSED: frozenset({SEE_RESULTS}),
}
_REVEAL_BY_SETTING = frozenset({AUTO, SUBMISSION, REVIEW})

#: Why an action is refused: by (phase, action), else the phase's own sentence.
_WHY: dict[tuple[str, str], str] = {
    (SETUP, ""): "This activity has not opened yet: your instructor is still setting it up.",
    (CLOSED, ""): "This activity is closed: nothing can be handed in or changed now.",
    (SUBMISSION, REVIEW_WORK): "Reviewing has not started yet: your instructor opens it "
    "after the submission phase.",
    (SUBMISSION, RESPOND): "Feedback is not open yet: reviewing has not started.",
    (FEEDBACK, SUBMIT): "Submissions are closed: the activity is in its feedback phase.",
    (FEEDBACK, EDIT): "Submissions are closed: the activity is in its feedback phase, so "
    "your work can no longer change.",
    (FEEDBACK, REVIEW_WORK): "Reviewing has closed: the activity is in its feedback phase.",
}

#: ``results_reveal``: when an author sees the reviews of their work.
REVEAL_EACH, REVEAL_K, REVEAL_CLOSE = "each", "k", "close"


def phase_key(settings: dict[str, Any]) -> str:
    """The row of ``RULES`` that applies: the phase set by hand, or ``AUTO``."""
    return manual_phase(settings) or AUTO


def allowed(settings: dict[str, Any], action: str) -> bool:
    return action in RULES[phase_key(settings)]


def refusal(settings: dict[str, Any], action: str) -> str | None:
    """Why a learner may not do ``action`` in the current phase, or None if they may."""
    key = phase_key(settings)
    if action in RULES[key]:
        return None
    return _WHY.get((key, action)) or _WHY.get((key, "")) or "This cannot be done now."


def revealed(
    settings: dict[str, Any], now: datetime, *, done: int, k: int, fewer_accepted: bool
) -> bool:
    """Whether an author sees the reviews of their work: always in the feedback and
    closed phases, never in set-up; otherwise as ``results_reveal`` says: ``each``
    (the default, as before: every review once it is done), ``k`` (once the work
    has its k reviews, or staff accepted fewer), ``close`` (once reviewing is over:
    in automatic mode, the feedback or results phase)."""
    key = phase_key(settings)
    if SEE_RESULTS in RULES[key]:
        return True
    if key not in _REVEAL_BY_SETTING:
        return False
    how = settings.get("results_reveal") or REVEAL_EACH
    if how == REVEAL_K:
        return done >= k or fewer_accepted
    if how == REVEAL_CLOSE:
        return key == AUTO and current(settings, now) in (FEEDBACK, RESULTS)
    return True


def at_results(settings: dict[str, Any], now: datetime) -> bool:
    """Whether the activity is at its end: closed by hand, or its results phase."""
    return current(settings, now) in (RESULTS, CLOSED)


def reviews_closed_by_hand(settings: dict[str, Any]) -> bool:
    """Whether the instructor ended reviewing by hand (feedback or closed)."""
    return manual_phase(settings) in (FEEDBACK, CLOSED)
