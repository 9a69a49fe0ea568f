"""The people of a course as grouping sees them: roster entries and how to find one
by email or name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db


def normalise(value: str) -> str:
    """The comparison key of a name, email, function or organisation."""
    return " ".join(value.casefold().split())


_EMAIL = re.compile(r"[^\s<>(),;\"']+@[^\s<>(),;\"']+\.[^\s<>(),;\"']+")


def reference(value: str) -> str:
    """What identifies a typed person: the email inside ("Big Boss <b@x.org>"), else
    the text as typed."""
    found = _EMAIL.search(value)
    return found.group(0) if found else value


def external_id(value: str) -> str:
    """The engine id of a manager who is not on the roster."""
    return "ext:" + normalise(value)[:240]


@dataclass(frozen=True)
class RosterEntry:
    person: Person
    enrolment: Enrolment

    @property
    def active(self) -> bool:
        return self.enrolment.status == "active"

    @property
    def is_learner(self) -> bool:
        return LEARNER in (self.enrolment.roles or [])


def roster(course: Course) -> list[RosterEntry]:
    """Everyone enrolled in the course (also those who left), by name."""
    rows = db.session.execute(
        select(Person, Enrolment)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(Enrolment.course_id == course.id)
    ).all()
    entries = [RosterEntry(p, e) for p, e in rows]
    return sorted(entries, key=lambda r: (normalise(r.person.display_name), r.person.id))


class RosterIndex:
    """Finds roster people by email or exact (case-insensitive) name."""

    def __init__(self, entries: Iterable[RosterEntry]):
        self._by: dict[str, list[Person]] = {}
        for entry in entries:
            p = entry.person
            names = {
                p.email or "",
                p.name or "",
                " ".join(x for x in (p.given_name, p.family_name) if x),
            }
            for key in {normalise(n) for n in names if n.strip()}:
                self._by.setdefault(key, []).append(p)

    def find(self, ref: str) -> tuple[Person | None, int]:
        """(the person, 1) when exactly one person matches, else (None, how many)."""
        found = self._by.get(normalise(ref), [])
        return (found[0] if len(found) == 1 else None), len(found)
