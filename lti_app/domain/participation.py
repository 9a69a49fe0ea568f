"""Who has dropped out, and the survival curve of continuing participation. Pure
Python.

The dropout rule (:class:`DropoutRule`): a learner has dropped out when the LMS
says they left the course, or once ``inactive_days`` whole days have passed
since they last launched Peerlift or did anything in it. Nobody is counted
before that time has actually passed: a learner who launched for the first time
a minute ago, or who was last seen 20 days ago, is still taking part.

The survival curve is a Kaplan–Meier estimate by week since each learner was
first seen (their first launch or activity). A learner who dropped out continues
through the week they were last seen and stops after it; a learner who has not
dropped out is *censored* at the week they were last seen (we know they took
part until then, and not yet whether they will come back), so recent learners
never pull the curve down before the rule says they left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class DropoutRule:
    inactive_days: int = 21

    @property
    def after(self) -> timedelta:
        return timedelta(days=self.inactive_days)

    def describe(self) -> str:
        """The rule in words, for the page, the report and the export."""
        return (
            f"A learner counts as dropped out when they leave the course in the LMS, or "
            f"once {self.inactive_days} days have passed since they last opened Peerlift "
            f"or did anything in it; nobody is counted before those "
            f"{self.inactive_days} days are up."
        )


@dataclass(frozen=True)
class Track:
    """What is known of one learner's participation."""

    #: First and last launch or activity (None: never seen).
    first_seen: datetime | None
    last_seen: datetime | None
    #: Did anything (posted, submitted, reviewed, wrote, answered), not only launched.
    took_part: bool
    #: The LMS reports them as no longer in the course.
    left_course: bool


@dataclass(frozen=True)
class Fate:
    dropped: bool
    #: Why, in words ("" while taking part).
    reason: str
    #: Whole weeks from first seen to last seen (None: never seen).
    last_week: int | None
    #: When the rule would count them as dropped if they do nothing more
    #: (None: dropped already, or never seen).
    counts_from: datetime | None


def fate_of(track: Track, now: datetime, rule: DropoutRule) -> Fate:
    """Whether ``track`` has dropped out at ``now`` under ``rule``, and why."""
    seen = track.first_seen is not None and track.last_seen is not None
    last_week = (
        (track.last_seen - track.first_seen).days // 7  # type: ignore[operator]
        if seen
        else None
    )
    if track.left_course:
        return Fate(True, "left the course", last_week, None)
    if not seen:
        return Fate(False, "", None, None)
    assert track.last_seen is not None
    idle = now - track.last_seen
    if idle < rule.after:
        return Fate(False, "", last_week, track.last_seen + rule.after)
    days = idle.days
    reason = (
        f"no launch or activity for {days} days"
        if track.took_part
        else f"opened Peerlift but never took part; nothing for {days} days"
    )
    return Fate(True, reason, last_week, None)


@dataclass(frozen=True)
class SurvivalWeek:
    #: Week since each learner was first seen (0 = their first week).
    week: int
    #: Learners whose participation is known at this week.
    at_risk: int
    #: Learners whose last week was the week before (dropped out under the rule).
    dropped: int
    #: Estimated share still taking part.
    share: float


def survival_curve(fates: Sequence[Fate], max_weeks: int) -> list[SurvivalWeek]:
    """Kaplan–Meier estimate over the learners ever seen (see the module
    docstring); it ends at the last week anyone is known about, or at
    ``max_weeks``."""
    known = [(f.last_week, f.dropped) for f in fates if f.last_week is not None]
    if not known:
        return []
    curve = [SurvivalWeek(0, len(known), 0, 1.0)]
    share = 1.0
    for week in range(1, max_weeks):
        stopped = sum(1 for last, dropped in known if dropped and last == week - 1)
        at_risk = sum(1 for last, _ in known if last >= week) + stopped
        if at_risk == 0:
            break
        share *= 1 - stopped / at_risk
        curve.append(SurvivalWeek(week, at_risk, stopped, share))
    return curve
