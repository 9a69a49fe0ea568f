"""Record who launched from where: course, person, enrolment.

Side effects: inserts/updates rows and flushes; the request commits.
Concurrent first launches of the same person or course are resolved by
retrying the lookup after a unique-constraint conflict (inside a savepoint).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import utcnow
from lti_app.domain.roles import RoleSet
from lti_app.extensions import db
from lti_app.lms.models import Deployment, Registration

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

T = TypeVar("T")


def _get_or_create(find: Callable[[], Any], create: Callable[[], T]) -> T:
    found: T | None = find()
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            obj = create()
            db.session.add(obj)
        return obj
    except IntegrityError:
        again: T | None = find()
        if again is None:
            raise
        return again


def _text(value: Any, limit: int = 255) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _set_changed(obj: object, **fields: Any) -> None:
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


#: ``last_launch_at`` is a participation signal, not an audit trail: refreshing it
#: at most this often keeps a repeat launch free of writes.
LAST_LAUNCH_RESOLUTION = timedelta(minutes=15)


@dataclass(frozen=True)
class LaunchPeople:
    course: Course | None
    person: Person
    enrolment: Enrolment | None


@dataclass(frozen=True)
class KnownRows:
    """Rows a caller already loaded (in one query) for this launch; None = not found."""

    person: Person | None = None
    course: Course | None = None
    enrolment: Enrolment | None = None


def upsert_person(
    reg: Registration, claims: dict[str, Any], roles: RoleSet, known: Person | None = None
) -> Person:
    sub = claims["sub"]
    person = known or _get_or_create(
        lambda: db.session.scalar(
            select(Person).where(Person.registration_id == reg.id, Person.sub == sub)
        ),
        lambda: Person(registration_id=reg.id, sub=sub),
    )
    # PII only when the platform shares it; never erase what an earlier launch gave.
    updates = {
        key: _text(claims.get(key))
        for key in ("name", "given_name", "family_name", "email")
        if _text(claims.get(key))
    }
    _set_changed(person, is_test_user=roles.is_test_user, **updates)
    return person


def context_id_of(claims: dict[str, Any]) -> str | None:
    context = claims.get(CLAIM + "context")
    if isinstance(context, dict) and isinstance(context.get("id"), str):
        return str(context["id"])
    return None


def upsert_course(
    reg: Registration, dep: Deployment, claims: dict[str, Any], known: Course | None = None
) -> Course | None:
    context_id = context_id_of(claims)
    if context_id is None:
        return None
    context: dict[str, Any] = claims[CLAIM + "context"]
    course = known or _get_or_create(
        lambda: db.session.scalar(
            select(Course).where(Course.deployment_id == dep.id, Course.context_id == context_id)
        ),
        lambda: Course(registration_id=reg.id, deployment_id=dep.id, context_id=context_id),
    )
    nrps = claims.get(NRPS_CLAIM) or {}
    ags = claims.get(AGS_CLAIM) or {}
    _set_changed(
        course,
        title=_text(context.get("title")) or course.title or "",
        label=_text(context.get("label")) or course.label or "",
    )
    if isinstance(nrps, dict) and nrps.get("context_memberships_url"):
        _set_changed(course, nrps_url=_text(nrps["context_memberships_url"], 1024))
    if isinstance(ags, dict) and ags.get("lineitems"):
        _set_changed(
            course,
            ags_lineitems_url=_text(ags["lineitems"], 1024),
            ags_scopes=[s for s in ags.get("scope", []) if isinstance(s, str)],
        )
    return course


def record_launch(
    reg: Registration,
    dep: Deployment,
    claims: dict[str, Any],
    roles: RoleSet,
    known: KnownRows | None = None,
) -> LaunchPeople:
    known = known or KnownRows()
    person = upsert_person(reg, claims, roles, known.person)
    course = upsert_course(reg, dep, claims, known.course)
    enrolment = known.enrolment
    if course is not None and enrolment is None:
        db.session.flush()
        enrolment = _get_or_create(
            lambda: db.session.scalar(
                select(Enrolment).where(
                    Enrolment.course_id == course.id, Enrolment.person_id == person.id
                )
            ),
            lambda: Enrolment(course_id=course.id, person_id=person.id, roles=[]),
        )
    if enrolment is not None:
        _set_changed(enrolment, roles=roles.as_list(), status="active")
        now = utcnow()
        if (
            enrolment.last_launch_at is None
            or now - enrolment.last_launch_at > LAST_LAUNCH_RESOLUTION
        ):
            enrolment.last_launch_at = now
    return LaunchPeople(course=course, person=person, enrolment=enrolment)
