"""Transfer figures for L&D, and the raw CSV they are computed from.

Per check-in day:
* due — check-ins that have come due (answered, or pending past their due day);
  cancelled ones are not counted; response rate = answered / due;
* item answers — one per action item per answered check-in; % tried and % in
  regular use are shares of those answers (each counted once: "tried" excludes
  "in regular use");
* top barriers — how many answered check-ins picked each barrier;
* share forward — answered check-ins naming at least one audience;
* mean confidence over answered check-ins.

The CSV has one row per (check-in, action item answer), or one row for a
check-in without item answers, so every figure can be recomputed from it:
count distinct ``checkin_id`` for check-in level figures. Learners appear by
their opaque public id only. Read-only.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lti_app.courses.anonymity import redactor_for
from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.journal import clock
from lti_app.peer_activities.journal.models import (
    ANSWERED,
    CONFIRMED,
    DECLINED,
    PENDING,
    REGULAR,
    TRIED,
    JournalActionItem,
    JournalCheckin,
    JournalCheckinAnswer,
    JournalObservation,
)
from lti_app.peer_activities.models import Activity

CSV_COLUMNS = (
    "checkin_id",
    "learner_id",
    "day",
    "due_on",
    "status",
    "answered_at",
    "confidence",
    "barriers",
    "barrier_text",
    "share_with",
    "share_how",
    "item_id",
    "item",
    "applied",
)


@dataclass
class DayFigures:
    day: int
    due: int = 0
    answered: int = 0
    item_answers: int = 0
    tried: int = 0
    regular: int = 0
    shared_forward: int = 0
    confidence_sum: int = 0
    barriers: Counter[str] = field(default_factory=Counter)

    @property
    def response_rate(self) -> float | None:
        return round(100.0 * self.answered / self.due, 1) if self.due else None

    @property
    def tried_pct(self) -> float | None:
        return round(100.0 * self.tried / self.item_answers, 1) if self.item_answers else None

    @property
    def regular_pct(self) -> float | None:
        return round(100.0 * self.regular / self.item_answers, 1) if self.item_answers else None

    @property
    def mean_confidence(self) -> float | None:
        return round(self.confidence_sum / self.answered, 2) if self.answered else None

    def top_barriers(self, n: int = 3) -> list[tuple[str, int]]:
        return sorted(self.barriers.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _checkins(activity: Activity) -> list[JournalCheckin]:
    return list(
        db.session.scalars(
            select(JournalCheckin)
            .where(JournalCheckin.activity_id == activity.id)
            .options(selectinload(JournalCheckin.answers).selectinload(JournalCheckinAnswer.item))
            .order_by(JournalCheckin.day, JournalCheckin.id)
        )
    )


def transfer_figures(activity: Activity, now: datetime | None = None) -> list[DayFigures]:
    """Figures per check-in day (see the module docstring)."""
    now = now or clock.now()
    days: dict[int, DayFigures] = {}
    for c in _checkins(activity):
        is_due = c.status == ANSWERED or (c.status == PENDING and c.due_at <= now)
        if not is_due:
            days.setdefault(c.day, DayFigures(c.day))
            continue
        fig = days.setdefault(c.day, DayFigures(c.day))
        fig.due += 1
        if c.status != ANSWERED:
            continue
        fig.answered += 1
        fig.confidence_sum += c.confidence or 0
        fig.barriers.update(set(c.barriers or []))
        if c.share_with:
            fig.shared_forward += 1
        for answer in c.answers:
            fig.item_answers += 1
            fig.tried += answer.applied == TRIED
            fig.regular += answer.applied == REGULAR
    return [days[d] for d in sorted(days)]


@dataclass(frozen=True)
class ObservationFigures:
    requested: int
    confirmed: int
    declined: int
    #: Learners with at least one application a mentor or manager confirmed (LTEM 7).
    learners_observed: int


def observation_figures(activity: Activity) -> ObservationFigures:
    rows = db.session.execute(
        select(JournalObservation.status, JournalActionItem.person_id)
        .join(JournalActionItem, JournalActionItem.id == JournalObservation.item_id)
        .where(JournalActionItem.activity_id == activity.id)
    ).all()
    statuses = Counter(status for status, _ in rows)
    return ObservationFigures(
        requested=len(rows),
        confirmed=statuses[CONFIRMED],
        declined=statuses[DECLINED],
        learners_observed=len({person for status, person in rows if status == CONFIRMED}),
    )


def answers_csv(activity: Activity) -> str:
    """The raw answers (see the module docstring), as CSV text."""
    people = dict(
        db.session.execute(
            select(Person.id, Person.public_id)
            .join(JournalCheckin, JournalCheckin.person_id == Person.id)
            .where(JournalCheckin.activity_id == activity.id)
        ).all()
    )
    # Pseudonymous: learners' own words lose every course member's name as well.
    redact = redactor_for(activity.course_id).text
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in _checkins(activity):
        base = [
            c.public_id,
            people.get(c.person_id, ""),
            c.day,
            c.due_at.date().isoformat(),
            c.status,
            c.answered_at.isoformat(timespec="seconds") if c.answered_at else "",
            c.confidence if c.confidence is not None else "",
            "; ".join(c.barriers or []),
            _cell(redact(c.barrier_text or "")),
            "; ".join(c.share_with or []),
            _cell(redact(c.share_how or "")),
        ]
        if not c.answers:
            writer.writerow([*base, "", "", ""])
        for answer in c.answers:
            writer.writerow(
                [*base, answer.item.public_id, _cell(redact(answer.item.what)), answer.applied]
            )
    return out.getvalue()


def _cell(text: str) -> str:
    """No spreadsheet formulas from learners' text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
