"""Observation: a learner asks a course mentor (LTI Mentor role) or their named
manager (from the grouping intake or the imported reporting lines, when that
person is a member of the course) to confirm that they saw an action item
applied. The observer reads only the item (what, by when, how I will know) and
the learner's note — never entries or check-ins — and confirms or declines with
a comment.

Side effects: inserts/updates rows and flushes; the request commits.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, cast, or_, select

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.domain.roles import MENTOR
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingIntake, GroupingReportingLine
from lti_app.peer_activities.journal import clock
from lti_app.peer_activities.journal.errors import JournalError
from lti_app.peer_activities.journal.models import (
    CONFIRMED,
    DECLINED,
    REQUESTED,
    JournalActionItem,
    JournalObservation,
)
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)


@cache
def _candidates() -> Select[Any]:
    """The active members of ``:course`` other than ``:person`` who may observe them
    (mentors, and whoever the reporting line or intake names), each row with the
    learner's reporting line and intake answer: built once per process. The role
    test in SQL only narrows the rows (a course of 500 is not loaded whole for
    its mentors); ``observers_for`` still checks the roles of what comes back."""
    course, person = bindparam("course", type_=Integer), bindparam("person", type_=Integer)
    line = (
        select(GroupingReportingLine.manager_key)
        .where(
            GroupingReportingLine.course_id == course,
            GroupingReportingLine.subject_key == bindparam("person_key", type_=String),
        )
        .limit(1)
        .scalar_subquery()
    )
    intake = (
        select(GroupingIntake.reports_to_id)
        .where(GroupingIntake.course_id == course, GroupingIntake.person_id == person)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(Person, Enrolment.roles, line, intake)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(
            Enrolment.course_id == course,
            Enrolment.status == "active",
            Person.id != person,
            or_(
                cast(Enrolment.roles, String).like(f'%"{MENTOR}"%'),
                Person.public_id == line,
                Person.id == intake,
            ),
        )
    )


def observers_for(course: Course, person: Person) -> list[tuple[Person, str]]:
    """Who the learner may ask: active course mentors and their named manager (if a
    member of the course), as (person, why). The manager is the one an imported
    reporting line names (it wins) or else the learner's own intake answer. One
    round trip: the members who could be either, each row with the learner's
    reporting line and intake answer alongside (the manager counts only as a member)."""
    rows = db.session.execute(
        _candidates(),
        {"course": course.id, "person": person.id, "person_key": person.public_id},
    ).all()
    found: dict[int, tuple[Person, str]] = {}
    for member, roles, _, _ in rows:
        if MENTOR in (roles or []):
            found[member.id] = (member, "mentor in this course")
    if rows:
        key, manager_id = rows[0][2], rows[0][3]
        if key and not key.startswith("ext:"):
            manager = next(
                (
                    m
                    for m, *_ in rows
                    if m.public_id == key and m.registration_id == person.registration_id
                ),
                None,
            )
        else:
            manager = (
                next((m for m, *_ in rows if m.id == manager_id), None) if manager_id else None
            )
        if manager is not None:
            found[manager.id] = (manager, "your manager")
    return sorted(found.values(), key=lambda pair: pair[0].display_name)


def request_observation(
    course: Course, person: Person, item: JournalActionItem, observer_public_id: str, note: str
) -> JournalObservation:
    """Ask an eligible observer to confirm the item (asking again re-opens it)."""
    observer = next(
        (p for p, _ in observers_for(course, person) if p.public_id == observer_public_id), None
    )
    if observer is None:
        raise JournalError("Ask a mentor of this course or your manager.", 422)
    found = db.session.scalar(
        select(JournalObservation).where(
            JournalObservation.item_id == item.id, JournalObservation.observer_id == observer.id
        )
    )
    if found is None:
        found = JournalObservation(item_id=item.id, observer_id=observer.id)
        db.session.add(found)
    found.status, found.note, found.comment, found.answered_at = REQUESTED, note, "", None
    db.session.flush()
    log.info("journal: observation %s requested", found.public_id)
    return found


def requests_for(
    course: Course, observer: Person, *, open_only: bool = False
) -> list[tuple[JournalObservation, JournalActionItem, Activity, Person]]:
    """Requests made to ``observer`` in the course's journals, with what they may read."""
    stmt = (
        select(JournalObservation, JournalActionItem, Activity, Person)
        .select_from(JournalObservation)
        .join(JournalActionItem, JournalActionItem.id == JournalObservation.item_id)
        .join(Activity, Activity.id == JournalActionItem.activity_id)
        .join(Person, Person.id == JournalActionItem.person_id)
        .where(JournalObservation.observer_id == observer.id, Activity.course_id == course.id)
        .order_by(JournalObservation.created_at.desc(), JournalObservation.id.desc())
    )
    if open_only:
        stmt = stmt.where(JournalObservation.status == REQUESTED)
    return [(o, i, a, p) for o, i, a, p in db.session.execute(stmt).all()]


def answer_observation(
    course: Course, observer: Person, public_id: str, *, confirm: bool, comment: str
) -> JournalObservation:
    found = next((o for o, *_ in requests_for(course, observer) if o.public_id == public_id), None)
    if found is None:
        raise JournalError("There is no such request for you.", 404)
    if found.status != REQUESTED:
        raise JournalError("You have answered this request already.", 409)
    found.status = CONFIRMED if confirm else DECLINED
    found.comment = comment
    found.answered_at = clock.now()
    db.session.flush()
    return found


@cache
def _observations_of_items() -> Select[JournalObservation]:
    """The observations of the ``:items`` (expanding), oldest first: built once."""
    return (
        select(JournalObservation)
        .where(JournalObservation.item_id.in_(bindparam("items", expanding=True)))
        .order_by(JournalObservation.id)
    )


def observations_of(item_ids: list[int]) -> dict[int, list[JournalObservation]]:
    result: dict[int, list[JournalObservation]] = {}
    if not item_ids:
        return result
    for obs in db.session.scalars(_observations_of_items(), {"items": item_ids}):
        result.setdefault(obs.item_id, []).append(obs)
    return result
