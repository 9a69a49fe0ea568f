"""Turnover on the dashboard: who has dropped out under the rule of
:mod:`lti_app.domain.participation`, and the survival curve, from each learner's
launches (``Enrolment.last_launch_at``) and activity (the rollup's spans).
Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lti_app.db import utcnow
from lti_app.domain.participation import (
    DropoutRule,
    Fate,
    SurvivalWeek,
    Track,
    fate_of,
    survival_curve,
)

#: The dashboard's dropout rule (the page, the report and the exports say it in words).
RULE = DropoutRule(inactive_days=21)
MAX_WEEKS = 26
LIST_LIMIT = 50


@dataclass
class Turnover:
    weeks: list[int]
    surviving: list[float]
    dropped: list[tuple[str, str, str]]  # name, last seen, why
    dropped_n: int
    took_part: int
    #: The Kaplan–Meier table behind the curve (week, at risk, dropped, share).
    curve: list[SurvivalWeek] = field(default_factory=list)
    rule: str = RULE.describe()
    #: Learners seen who have not dropped out, and the earliest day one of them
    #: could count as dropped out if nobody does anything more.
    continuing: int = 0
    earliest_dropout: datetime | None = None
    #: Everyone counted as dropped out: (learner key, name, last seen, why), for
    #: the export (the page lists at most LIST_LIMIT, by name, in one course only).
    dropouts: list[tuple[str, str, str, str]] = field(default_factory=list)


def _track(person: Any, first: datetime | None, last: datetime | None) -> Track:
    launch = getattr(person, "last_launch", None)
    seen = [t for t in (first, last, launch) if t is not None]
    return Track(
        first_seen=min(seen) if seen else None,
        last_seen=max(seen) if seen else None,
        took_part=last is not None,
        left_course=person.status == "inactive",
    )


def build_turnover(
    people: dict[int, Any],
    first: dict[int, datetime],
    last: dict[int, datetime],
    *,
    named: bool,
    now: datetime | None = None,
) -> Turnover:
    """Turnover of ``people`` (the dashboard's learners, with ``key``, ``status``,
    ``name`` and ``last_launch``) given each one's first and last activity."""
    now = now or utcnow()
    fates: list[tuple[Any, Fate, Track]] = []
    for pid, person in sorted(people.items(), key=lambda kv: kv[1].name):
        track = _track(person, first.get(pid), last.get(pid))
        fates.append((person, fate_of(track, now, RULE), track))
    dropouts = [
        (p.key, p.name, f"{t.last_seen:%Y-%m-%d}" if t.last_seen else "", f.reason)
        for p, f, t in fates
        if f.dropped
    ]
    dropped = [(name, last or "—", why) for _, name, last, why in dropouts]
    waiting = [f.counts_from for _, f, _ in fates if f.counts_from is not None]
    curve = survival_curve([f for _, f, _ in fates], MAX_WEEKS)
    return Turnover(
        weeks=[w.week for w in curve],
        surviving=[w.share for w in curve],
        dropped=dropped[:LIST_LIMIT] if named else [],
        dropped_n=len(dropped),
        took_part=sum(1 for pid in people if pid in last),
        curve=curve,
        continuing=len(waiting),
        earliest_dropout=min(waiting, default=None),
        dropouts=dropouts,
    )
