"""Who must not review whom: manager/report pairs of the course (intake answers
and imported reporting lines, as grouping resolves them). Neither reviews the
other (status dynamics: people do not write candidly about their boss's work,
and a boss's review of a report is not a peer review).

Resolving the pairs reads the whole cohort, so they are cached per course and
re-read whenever an intake, an imported line or the roster changes (their
change stamps, one round trip, are the cache key). The cache belongs to the app
(``app.extensions["peer_review.reporting_pairs"]``, made on first use): each
app, and so each test's app, has its own, and it goes with the app.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app
from sqlalchemy import select

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import change_stamps
from lti_app.extensions import db
from lti_app.peer_activities.grouping.cohort import load_cohort
from lti_app.peer_activities.grouping.models import GroupingIntake, GroupingReportingLine
from lti_app.peer_activities.models import Activity

Pairs = frozenset[tuple[str, str]]
EXTENSION = "peer_review.reporting_pairs"


class PairsCache:
    """(course id) -> (fingerprint, pairs), at most ``size`` courses (emptied when
    full); safe to share between an app's threads."""

    def __init__(self, size: int = 512):
        self.size = size
        self._entries: dict[int, tuple[tuple[Any, ...], Pairs]] = {}
        self._lock = threading.Lock()

    def get(self, course_id: int, fingerprint: tuple[Any, ...]) -> Pairs | None:
        cached = self._entries.get(course_id)
        return cached[1] if cached is not None and cached[0] == fingerprint else None

    def put(self, course_id: int, fingerprint: tuple[Any, ...], pairs: Pairs) -> None:
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[course_id] = (fingerprint, pairs)


def _cache() -> PairsCache:
    cache: PairsCache | None = current_app.extensions.get(EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(EXTENSION, PairsCache())
    return cache


def pairs_columns(course_id: Any) -> list[Any]:
    """What the pairs depend on (intakes, imported lines, the roster), as scalar
    subqueries to select (``allocation`` reads them with its other figures);
    ``course_id`` is a value or a bound parameter."""
    return change_stamps(
        *(
            (model, model.course_id == course_id)
            for model in (GroupingIntake, GroupingReportingLine, Enrolment)
        )
    )


def must_not_review(activity: Activity, *, fingerprint: tuple[Any, ...] | None = None) -> Pairs:
    """The course's manager/report pairs, as person-id pairs (see the module
    docstring). ``fingerprint``: the values of ``pairs_columns``, when the caller
    has read them already."""
    if activity.course_id is None:
        return frozenset()
    if fingerprint is None:
        fingerprint = tuple(db.session.execute(select(*pairs_columns(activity.course_id))).one())
    cache = _cache()
    pairs = cache.get(activity.course_id, fingerprint)
    if pairs is None:
        pairs = _load_pairs(activity)
        cache.put(activity.course_id, fingerprint, pairs)
    return pairs


def _load_pairs(activity: Activity) -> Pairs:
    course = db.session.get(Course, activity.course_id)
    if course is None:
        return frozenset()
    lines = load_cohort(course).reporting_lines
    if not lines:
        return frozenset()
    ids: dict[str, int] = {
        pid: pk
        for pid, pk in db.session.execute(
            select(Person.public_id, Person.id).where(
                Person.registration_id == activity.registration_id,
                Person.public_id.in_(set(lines) | set(lines.values())),
            )
        )
    }
    return frozenset((str(ids[a]), str(ids[b])) for a, b in lines.items() if a in ids and b in ids)
