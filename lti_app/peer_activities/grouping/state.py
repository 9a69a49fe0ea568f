"""What the activity page needs from grouping, read in few statements and kept for
the rest of the request (``flask.g``), so the activity's own panel (role-play, case
discussion) built after grouping's does not read it again.

- :func:`learner_state`: a learner's intake, agreement, acceptance and group in
  force in one statement, and their own group's members (names, role titles,
  still in the course) in one more. Only their own group is read.
- :func:`rounds_in_force`: an activity's latest draft and published rounds with
  their groups and members (people included) in three statements, however many
  groups, and how many rounds were published (:func:`published_count`).

Memoised for one request only (never across requests); the page reads them while
rendering, after the request's writes. Outside a request they are simply read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import g, has_app_context
from sqlalchemy import Integer, Select, and_, bindparam, exists, func, select
from sqlalchemy.orm import contains_eager, selectinload

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.extensions import db
from lti_app.peer_activities.grouping.agreement import DEFAULT_AGREEMENT, Agreement
from lti_app.peer_activities.grouping.models import (
    DRAFT,
    PUBLISHED,
    GroupingAcceptance,
    GroupingAgreement,
    GroupingGroup,
    GroupingIntake,
    GroupingMember,
    GroupingRound,
)
from lti_app.peer_activities.models import Activity


@dataclass(frozen=True)
class Member:
    person: Person
    title: str
    active: bool


@dataclass
class LearnerState:
    has_intake: bool
    agreement: Agreement
    #: Accepted the version in force / any version (a re-acceptance is due).
    accepted: bool
    accepted_any: bool
    #: Their group in the activity's round in force, members (and people) loaded.
    group: GroupingGroup | None = None
    members: list[Member] = field(default_factory=list)

    def active_ids(self) -> dict[int, bool]:
        """Person id → still active in the course, for every member of the group."""
        return {m.person.id: m.active for m in self.members}


def _memo() -> dict[Any, Any]:
    if not has_app_context():
        return {}
    found: dict[Any, Any] | None = g.get("grouping_state")
    if found is None:
        found = g.grouping_state = {}
    return found


def _latest_round(activity_id: Any, status: str) -> Any:
    return (
        select(GroupingRound.id)
        .where(GroupingRound.activity_id == activity_id, GroupingRound.status == status)
        .order_by(GroupingRound.number.desc())
        .limit(1)
        .scalar_subquery()
    )


@cache
def _learner_row() -> Select[Any]:
    """Intake, agreement in force, acceptance and group of ``:person`` in ``:course``
    for ``:activity``: one row (built once per process, run with bound parameters)."""
    course, person = bindparam("course", type_=Integer), bindparam("person", type_=Integer)
    latest = (
        select(GroupingAgreement.version, GroupingAgreement.text)
        .where(GroupingAgreement.course_id == course)
        .order_by(GroupingAgreement.version.desc())
        .limit(1)
    )
    version = func.coalesce(
        latest.with_only_columns(GroupingAgreement.version).scalar_subquery(), 1
    )
    mine = and_(GroupingAcceptance.course_id == course, GroupingAcceptance.person_id == person)
    return select(
        exists().where(GroupingIntake.course_id == course, GroupingIntake.person_id == person),
        version,
        latest.with_only_columns(GroupingAgreement.text).scalar_subquery(),
        exists().where(mine, GroupingAcceptance.version == version),
        exists().where(mine),
        select(GroupingMember.group_id)
        .where(
            GroupingMember.round_id
            == _latest_round(bindparam("activity", type_=Integer), PUBLISHED),
            GroupingMember.person_id == person,
        )
        .scalar_subquery(),
    )


def learner_state(activity: Activity, course: Course, person: Person) -> LearnerState:
    """The learner's grouping state for ``activity`` (see the module docstring)."""
    memo = _memo()
    key = ("learner", activity.id, course.id, person.id)
    if key in memo:
        found: LearnerState = memo[key]
        return found
    row = db.session.execute(
        _learner_row(), {"course": course.id, "person": person.id, "activity": activity.id}
    ).one()
    state = LearnerState(
        has_intake=bool(row[0]),
        agreement=Agreement(row[1], row[2] if row[2] is not None else DEFAULT_AGREEMENT),
        accepted=bool(row[3]),
        accepted_any=bool(row[4]),
    )
    if row[5] is not None:
        state.group, state.members = _group_with_members(course, row[5])
    memo[key] = state
    return state


@cache
def _members_of_group() -> Any:
    """``:group`` with its members, their people, titles and enrolment status in
    ``:course`` (built once per process)."""
    course = bindparam("course", type_=Integer)
    return (
        select(GroupingGroup, GroupingMember.person_id, GroupingIntake.role_title, Enrolment.status)
        .join(GroupingMember, GroupingMember.group_id == GroupingGroup.id)
        .join(Person, Person.id == GroupingMember.person_id)
        .outerjoin(
            GroupingIntake,
            and_(
                GroupingIntake.course_id == course,
                GroupingIntake.person_id == GroupingMember.person_id,
            ),
        )
        .outerjoin(
            Enrolment,
            and_(Enrolment.course_id == course, Enrolment.person_id == GroupingMember.person_id),
        )
        .where(GroupingGroup.id == bindparam("group", type_=Integer))
        .options(contains_eager(GroupingGroup.members).contains_eager(GroupingMember.person))
        .order_by(GroupingMember.id)
    )


def _group_with_members(course: Course, group_id: int) -> tuple[GroupingGroup, list[Member]]:
    """One group, its members and their people, titles and enrolment status: one
    statement."""
    rows = (
        db.session.execute(_members_of_group(), {"course": course.id, "group": group_id})
        .unique()
        .all()
    )
    group = rows[0][0]
    by_person = {pid: (title or "", status == "active") for _, pid, title, status in rows}
    members = [
        Member(m.person, by_person[m.person_id][0], by_person[m.person_id][1])
        for m in group.members
    ]
    return group, members


def rounds_in_force(activity: Activity) -> tuple[GroupingRound | None, GroupingRound | None]:
    """The activity's latest draft and latest published round (each None when there
    is none), groups, members and people loaded: three statements."""
    memo = _memo()
    key = ("rounds", activity.id)
    if key in memo:
        kept: tuple[GroupingRound | None, GroupingRound | None] = memo[key]
        return kept
    published_total = (
        select(func.count(GroupingRound.id))
        .where(GroupingRound.activity_id == activity.id, GroupingRound.status == PUBLISHED)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(GroupingRound, published_total)
        .where(
            GroupingRound.id.in_(
                [_latest_round(activity.id, DRAFT), _latest_round(activity.id, PUBLISHED)]
            )
        )
        .options(
            selectinload(GroupingRound.groups)
            .selectinload(GroupingGroup.members)
            .joinedload(GroupingMember.person)
        )
    ).all()
    found = [r for r, _ in rows]
    memo[("published_count", activity.id)] = rows[0][1] if rows else 0
    draft = next((r for r in found if r.status == DRAFT), None)
    published = next((r for r in found if r.status == PUBLISHED), None)
    memo[key] = (draft, published)
    return draft, published


def published_count(activity: Activity) -> int:
    """How many rounds of the activity were published (read with
    :func:`rounds_in_force`)."""
    rounds_in_force(activity)
    key = ("published_count", activity.id)
    memo = _memo()
    if key not in memo:  # outside a request: nothing is kept
        return int(
            db.session.scalar(
                select(func.count(GroupingRound.id)).where(
                    GroupingRound.activity_id == activity.id, GroupingRound.status == PUBLISHED
                )
            )
            or 0
        )
    return int(memo[key])
