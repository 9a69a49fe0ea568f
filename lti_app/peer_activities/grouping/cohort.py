"""The cohort the matching engine groups: learners built from intake answers, with
their reporting lines resolved (imported lines win over a learner's own answer)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from lti_app.courses.models import Course, Person
from lti_app.domain.matching import LEVELS, Learner
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingIntake, GroupingReportingLine
from lti_app.peer_activities.grouping.people import (
    RosterEntry,
    RosterIndex,
    external_id,
    normalise,
    reference,
    roster,
)

#: The shape of a public id (lti_app.db.new_public_id), to find them in engine messages.
_PUBLIC_ID = re.compile(r"(?<![\w-])[\w-]{16}(?![\w-])")


@dataclass
class Cohort:
    """A course's people as grouping sees them."""

    #: Everyone on the roster by public id.
    entries: dict[str, RosterEntry]
    #: Completed intakes by person public id (anyone, active or not).
    intakes: dict[str, GroupingIntake]
    #: Engine learners for everyone with a completed intake.
    learners: dict[str, Learner]
    #: person/external id → manager id, for the engine's skip-level checks.
    reporting_lines: dict[str, str]
    #: How many reporting lines the instructor imported for the course.
    imported_lines: int = 0

    @property
    def active_learners(self) -> list[RosterEntry]:
        return [e for e in self.entries.values() if e.is_learner and e.active]

    @property
    def eligible(self) -> list[str]:
        """Public ids of active learners who completed the intake: the people to group."""
        return [
            e.person.public_id for e in self.active_learners if e.person.public_id in self.learners
        ]

    @property
    def missing_intake(self) -> list[RosterEntry]:
        return [e for e in self.active_learners if e.person.public_id not in self.learners]

    def is_active(self, public_id: str) -> bool:
        entry = self.entries.get(public_id)
        return entry is not None and entry.active

    def name(self, public_id: str) -> str:
        entry = self.entries.get(public_id)
        if entry is not None:
            return entry.person.display_name
        if public_id.startswith("ext:"):
            return public_id[4:]
        return "someone outside the course"

    def title(self, public_id: str) -> str:
        intake = self.intakes.get(public_id)
        return intake.role_title if intake else ""

    def describe(self, text: str) -> str:
        """Engine messages name people by their ids when they are not learners."""

        def name(match: re.Match[str]) -> str:
            entry = self.entries.get(match.group(0))
            return entry.person.display_name if entry else match.group(0)

        return _PUBLIC_ID.sub(name, text)


def load_cohort(course: Course) -> Cohort:
    """Everyone in the course with their intake and resolved reporting line."""
    entries = {e.person.public_id: e for e in roster(course)}
    by_id = {e.person.id: e for e in entries.values()}
    intakes: dict[str, GroupingIntake] = {}
    for row in db.session.scalars(
        select(GroupingIntake).where(
            GroupingIntake.course_id == course.id, GroupingIntake.completed_at.is_not(None)
        )
    ):
        entry = by_id.get(row.person_id)
        if entry is not None:
            intakes[entry.person.public_id] = row
    imported = {
        line.subject_key: line.manager_key
        for line in db.session.scalars(
            select(GroupingReportingLine).where(GroupingReportingLine.course_id == course.id)
        )
    }
    index = RosterIndex(entries.values())
    lines: dict[str, str] = dict(imported)
    learners: dict[str, Learner] = {}
    spell = _Spelling()
    for pid, row in sorted(intakes.items(), key=lambda item: item[1].id):
        boss = imported.get(pid) or _own_manager(row, by_id, index)
        if boss and boss != pid:
            lines[pid] = boss
        else:
            boss = None
        learners[pid] = _learner(pid, entries[pid].person, row, boss, spell)
    return Cohort(entries, intakes, learners, lines, imported_lines=len(imported))


class _Spelling:
    """One spelling per normalised value ("Acme", "ACME " → "Acme", the first seen),
    so the engine compares normalised values and its reasons read naturally."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def __call__(self, value: str) -> str | None:
        key = normalise(value)
        if not key:
            return None
        return self._seen.setdefault(key, " ".join(value.split()))


def _own_manager(
    row: GroupingIntake, by_id: Mapping[int, RosterEntry], index: RosterIndex
) -> str | None:
    if row.reports_to_id is not None:
        entry = by_id.get(row.reports_to_id)
        if entry is not None:
            return entry.person.public_id
    if row.reports_to_text:
        ref = reference(row.reports_to_text)
        person, _count = index.find(ref)
        return person.public_id if person else external_id(ref)
    return None


def _learner(
    pid: str, person: Person, row: GroupingIntake, boss: str | None, spell: _Spelling
) -> Learner:
    picked = [*row.challenges, row.challenge_other]
    challenges = [c for c in (spell(x) for x in picked if x) if c]
    level = row.level if row.level and 1 <= row.level <= len(LEVELS) else None
    return Learner(
        id=pid,
        name=person.display_name,
        challenges=tuple(dict.fromkeys(challenges)),
        level=level,
        years=row.years,
        function=spell(row.function),
        organisation=spell(row.organisation),
        reports_to=boss,
    )
