"""Record who launched from where: course, person, enrolment.

Side effects: inserts/updates rows and flushes; the request commits.
A missing row is created by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
(PostgreSQL and SQLite alike), with every field the launch gives: concurrent
first launches of the same person, course or enrolment get the one row, and a
first launch needs no SELECT before, no savepoint and no UPDATE after its INSERT.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import utcnow
from lti_app.domain.roles import RoleSet
from lti_app.extensions import db
from lti_app.lms.models import Deployment, Registration

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

T = TypeVar("T")


#: The columns each row is created with (bound parameters of the prebuilt INSERT),
#: and its unique key (the conflict target).
_CREATE = {
    Person: (
        ("registration_id", "sub", "name", "given_name", "family_name", "email", "is_test_user"),
        ("registration_id", "sub"),
    ),
    Course: (
        (
            "registration_id",
            "deployment_id",
            "context_id",
            "title",
            "label",
            "nrps_url",
            "ags_lineitems_url",
            "ags_scopes",
        ),
        ("deployment_id", "context_id"),
    ),
    Enrolment: (
        ("course_id", "person_id", "roles", "status", "last_launch_at"),
        ("course_id", "person_id"),
    ),
}


@functools.cache
def _insert_stmt(model: Any, dialect: str) -> Any:
    """Built once per model and dialect: INSERT the row, or (someone else created it
    first) touch nothing but its key, and return the row either way. Python-side
    defaults (public id, timestamps) are filled at each execution."""
    columns, key = _CREATE[model]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values({c: bindparam(c) for c in columns})
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key), set_={key[-1]: stmt.excluded[key[-1]]}
    )
    return stmt.returning(model)


def _insert_or_get(model: type[T], values: dict[str, Any]) -> T:
    """The row ``values`` create, or the one a concurrent launch created first
    (one statement; the caller then sets what differs)."""
    dialect = db.session.get_bind().dialect.name
    key: Any = model  # a mapped class: hashable, as the cache needs
    stmt = _insert_stmt(key, dialect)
    found: T = db.session.scalars(stmt, values, execution_options={"populate_existing": True}).one()
    return found


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
    # PII only when the platform shares it; never erase what an earlier launch gave.
    updates = {
        key: _text(claims.get(key))
        for key in ("name", "given_name", "family_name", "email")
        if _text(claims.get(key))
    }
    person = known or _insert_or_get(
        Person,
        {
            "registration_id": reg.id,
            "sub": claims["sub"],
            "name": None,
            "given_name": None,
            "family_name": None,
            "email": None,
            **updates,
            "is_test_user": roles.is_test_user,
        },
    )
    _set_changed(person, is_test_user=roles.is_test_user, **updates)
    return person


def context_id_of(claims: dict[str, Any]) -> str | None:
    context = claims.get(CLAIM + "context")
    if isinstance(context, dict) and isinstance(context.get("id"), str):
        return str(context["id"])
    return None


def _course_fields(claims: dict[str, Any], course: Course | None) -> dict[str, Any]:
    """What the launch says about its course (title and label kept when it says
    nothing; the service endpoints only when it sends them)."""
    context: dict[str, Any] = claims[CLAIM + "context"]
    fields: dict[str, Any] = {
        "title": _text(context.get("title")) or (course.title if course else "") or "",
        "label": _text(context.get("label")) or (course.label if course else "") or "",
    }
    nrps = claims.get(NRPS_CLAIM) or {}
    ags = claims.get(AGS_CLAIM) or {}
    if isinstance(nrps, dict) and nrps.get("context_memberships_url"):
        fields["nrps_url"] = _text(nrps["context_memberships_url"], 1024)
    if isinstance(ags, dict) and ags.get("lineitems"):
        fields["ags_lineitems_url"] = _text(ags["lineitems"], 1024)
        fields["ags_scopes"] = [s for s in ags.get("scope", []) if isinstance(s, str)]
    return fields


def upsert_course(
    reg: Registration, dep: Deployment, claims: dict[str, Any], known: Course | None = None
) -> Course | None:
    context_id = context_id_of(claims)
    if context_id is None:
        return None
    course = known or _insert_or_get(
        Course,
        {
            "registration_id": reg.id,
            "deployment_id": dep.id,
            "context_id": context_id,
            "nrps_url": None,
            "ags_lineitems_url": None,
            "ags_scopes": None,
            **_course_fields(claims, None),
        },
    )
    _set_changed(course, **_course_fields(claims, course))
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
    now = utcnow()
    if course is not None and enrolment is None:
        enrolment = _insert_or_get(
            Enrolment,
            {
                "course_id": course.id,
                "person_id": person.id,
                "roles": roles.as_list(),
                "status": "active",
                "last_launch_at": now,
            },
        )
    if enrolment is not None:
        _set_changed(enrolment, roles=roles.as_list(), status="active")
        if (
            enrolment.last_launch_at is None
            or now - enrolment.last_launch_at > LAST_LAUNCH_RESOLUTION
        ):
            enrolment.last_launch_at = now
    return LaunchPeople(course=course, person=person, enrolment=enrolment)
