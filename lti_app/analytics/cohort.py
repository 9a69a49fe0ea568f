"""Who an L&D dashboard counts: its scope (one course or a programme), the
learners enrolled there, and when each was active (from the rollup).

Shared by every section (``sections``) and by the dashboard that assembles them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from lti_app.analytics.models import AnalyticsPersonSpan, AnalyticsPersonWeek
from lti_app.analytics.turnover import RULE
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity

#: A learner with no launch or activity for this long counts as having dropped out
#: (the rule, in words and code: :data:`lti_app.analytics.turnover.RULE`).
DROPOUT_AFTER = RULE.after
MAX_WEEKS = 26


#: A chart's data table: caption, column headers, rows.
Table = tuple[str, list[str], list[list[Any]]]


@dataclass(frozen=True)
class Scope:
    label: str
    course_ids: tuple[int, ...]
    #: Per-learner names are shown only inside one course.
    single_course: bool


def course_scope(course: Course) -> Scope:
    return Scope(course.title or course.label or "This course", (course.id,), True)


def programme_scope(registration_id: int, deployment_id: int) -> Scope:
    """Every course of one platform registration AND deployment (never another's)."""
    ids = tuple(
        db.session.scalars(
            select(Course.id)
            .where(Course.registration_id == registration_id, Course.deployment_id == deployment_id)
            .order_by(Course.id)
        )
    )
    return Scope("All courses of this platform", ids, False)


def activity_ids_of(scope: Scope) -> list[int]:
    return list(
        db.session.scalars(select(Activity.id).where(Activity.course_id.in_(scope.course_ids)))
    )


# -- learners and events --------------------------------------------------------------


@dataclass
class Learner:
    person_id: int
    course_id: int
    name: str
    key: str
    status: str
    launched: bool
    last_launch: datetime | None = None


def roster(scope: Scope) -> tuple[dict[int, Learner], set[int]]:
    """Learners (by person id) enrolled in the scope's courses, and everyone else
    enrolled there (staff, test users), whose activity is never counted."""
    found: dict[int, Learner] = {}
    others: set[int] = set()
    rows = db.session.execute(
        select(
            Enrolment.person_id,
            Enrolment.course_id,
            Enrolment.roles,
            Enrolment.status,
            Enrolment.last_launch_at,
            Person.name,
            Person.given_name,
            Person.family_name,
            Person.public_id,
            Person.is_test_user,
        )
        .join(Person, Person.id == Enrolment.person_id)
        .where(Enrolment.course_id.in_(scope.course_ids))
    )
    for pid, cid, roles, status, launched_at, name, given, family, public, test in rows:
        if test or LEARNER not in (roles or []):
            others.add(pid)
            continue
        display = (
            (name or " ".join(p for p in (given, family) if p) or f"Participant {public[:6]}")
            if scope.single_course
            else f"Learner {public[:6]}"
        )  # names stay inside their course
        found[pid] = Learner(
            pid,
            cid,
            display,
            public,
            status,
            launched_at is not None,
            to_datetime(launched_at) if launched_at is not None else None,
        )
    return found, others - set(found)


def learners(scope: Scope) -> dict[int, Learner]:
    return roster(scope)[0]


def week_start(value: Any) -> datetime:
    if isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value)[:10])


def to_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@dataclass
class Span:
    first: dict[int, datetime]
    last: dict[int, datetime]


def person_span(scope: Scope, activity_ids: list[int]) -> Span:
    """Each person's first and last activity in the scope (from the rollup)."""
    if not activity_ids:
        return Span({}, {})
    rows = db.session.execute(
        select(
            AnalyticsPersonSpan.person_id,
            func.min(AnalyticsPersonSpan.first_at),
            func.max(AnalyticsPersonSpan.last_at),
        )
        .where(AnalyticsPersonSpan.activity_id.in_(activity_ids))
        .group_by(AnalyticsPersonSpan.person_id)
    )
    first: dict[int, datetime] = {}
    last: dict[int, datetime] = {}
    for pid, lo, hi in rows:
        first[pid], last[pid] = to_datetime(lo), to_datetime(hi)
    return Span(first, last)


def weekly_active(activity_ids: list[int], others: set[int]) -> list[tuple[datetime, int]]:
    """Distinct learners active per ISO week (Monday), oldest first, last 26 weeks
    (from the rollup; ``others`` are the enrolled non-learners, not counted)."""
    if not activity_ids:
        return []
    week = AnalyticsPersonWeek.week
    query = (
        select(week, func.count(func.distinct(AnalyticsPersonWeek.person_id)))
        .where(AnalyticsPersonWeek.activity_id.in_(activity_ids))
        .group_by(week)
    )
    if others:
        query = query.where(AnalyticsPersonWeek.person_id.not_in(others))
    counts = {week_start(when): n for when, n in db.session.execute(query)}
    weeks = sorted(counts)[-MAX_WEEKS:]
    if not weeks:
        return []
    filled = []
    current = weeks[0]
    while current <= weeks[-1]:
        filled.append((current, counts.get(current, 0)))
        current += timedelta(days=7)
    return filled
