"""The tool session after a launch: a short-lived signed token, not a cookie.

Inside an LMS iframe third-party cookies may be blocked, so the session rides
in a signed token that pages put in their links and forms (``t``) and scripts
send as ``Authorization: Bearer``. Because no browser sends it on its own, it
also serves as the CSRF token of every form. The token holds only opaque public
ids and roles; it is re-issued on every page so an active person never expires.
Verification accepts ``SECRET_KEY_FALLBACKS`` so the secret can be rotated.

Access follows the enrolment: the query that loads the person and course on every
request also reads the enrolment's status, so a member the roster sync marked
inactive meets a 403 "your access ended" page (their work is kept) and the request
writes nothing; their next launch from the LMS makes the enrolment active again.
A session without a course (a launch without a context) is bound to the one
activity it launched into and can open nothing course-scoped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, bindparam, select
from werkzeug.exceptions import Forbidden

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.domain.roles import RoleSet
from lti_app.extensions import db
from lti_app.lms import registry
from lti_app.lms.models import Deployment, Registration

SALT = "peerlift.session.v1"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Actor:
    registration: Registration
    deployment: Deployment
    person: Person
    course: Course | None
    roles: RoleSet
    #: Pending deep-linking request key, for the activity picker.
    deep_link: str | None = None
    #: A session without a course: the public id of the one activity it launched
    #: into, the only activity it may open (None for course sessions).
    activity: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.roles.is_staff

    def token(self) -> str:
        """The session token for this actor; signed once per actor (one request),
        however many links and forms of the page carry it."""
        found: str | None = self.__dict__.get("_token")
        if found is None:
            found = issue_token(
                self.registration,
                self.deployment,
                self.person,
                self.course,
                self.roles,
                deep_link=self.deep_link,
                activity=self.activity,
            )
            object.__setattr__(self, "_token", found)  # frozen: a cache, not a field
        return found


class AccessEnded(Forbidden):
    """The person's enrolment in the course is no longer active (roster sync saw
    them leave): a 403 page that says so, and that their work is kept."""

    page = (
        "Your access to this course has ended",
        "Your learning platform no longer lists you as a member of this course, so "
        "Peerlift pages of the course are closed to you. Everything you did here is kept. "
        "If you should still have access, open the activity again from your course in "
        "the learning platform.",
    )


_serializers: dict[tuple[str, ...], URLSafeTimedSerializer] = {}


def _serializer() -> URLSafeTimedSerializer:
    keys = (*current_app.config.get("SECRET_KEY_FALLBACKS", []), current_app.config["SECRET_KEY"])
    found = _serializers.get(keys)
    if found is None:
        found = _serializers[keys] = URLSafeTimedSerializer(list(keys), salt=SALT)
    return found


def issue_token(
    reg: Registration,
    dep: Deployment,
    person: Person,
    course: Course | None,
    roles: RoleSet,
    *,
    deep_link: str | None = None,
    activity: str | None = None,
) -> str:
    """``activity``: for a session without a course, the one activity it may open."""
    payload: dict[str, Any] = {
        "r": reg.public_id,
        "d": dep.public_id,
        "p": person.public_id,
        "c": course.public_id if course else None,
        "ro": roles.as_list(),
        "tu": roles.is_test_user,
    }
    if deep_link:
        payload["dl"] = deep_link
    if course is None and activity:
        payload["a"] = activity
    token: str = _serializer().dumps(payload)
    return token


def _raw_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    return request.form.get("t") or request.args.get("t")


@dataclass(frozen=True)
class Along:
    """A row a page needs together with its actor, read in the actor's own
    statement (one round trip instead of two): ``entity`` outer-joined on
    ``on()``, a condition with bound parameters; the actor's ``reg``, ``dep``,
    ``person`` and ``course`` are bound too. Define one per page kind, at module
    level (each is a statement built once)."""

    entity: Any
    on: Callable[[], Any]


#: What :func:`current_actor_with` gives when the actor was already loaded
#: earlier in the request (so the row was not read with it).
NOT_READ: Any = object()


def load_actor(token: str) -> Actor | None:
    """The actor a session token names, or None (expired, altered, unknown).
    Raises :class:`AccessEnded` when their enrolment in the course is not active."""
    return _load(token)[0]


def _load(
    token: str, along: Along | None = None, extra: dict[str, Any] | None = None
) -> tuple[Actor | None, Any]:
    try:
        data = _serializer().loads(token, max_age=current_app.config["SESSION_TOKEN_MAX_AGE_S"])
    except SignatureExpired:
        return None, None
    except BadSignature:
        return None, None
    reg = registry.registration_by_public_id(data["r"])
    if reg is None or not reg.is_active:
        return None, None
    dep = registry.deployment_by_public_id(reg, data["d"])
    if dep is None or not dep.is_active:
        return None, None
    # One round trip for person, course and enrolment status (and the page's own
    # row, ``along``), on every page: the statement is built once.
    params = {"person": data["p"], "reg": reg.id, "course": data.get("c"), "dep": dep.id}
    row = db.session.execute(_actor_stmt(along), {**(extra or {}), **params}).first()
    if row is None or (data.get("c") and row[1] is None):
        return None, None
    person, course, status = row[:3]
    if course is not None and status != "active":
        raise AccessEnded()
    roles = RoleSet(frozenset(data.get("ro", [])), bool(data.get("tu")))
    activity = data.get("a") if course is None else None
    actor = Actor(reg, dep, person, course, roles, data.get("dl"), activity)
    return actor, (row[3] if along is not None else None)


@functools.cache
def _actor_stmt(along: Along | None = None) -> Any:
    stmt: Any = (
        select(Person, Course, Enrolment.status)
        .select_from(Person)
        .outerjoin(
            Course,
            and_(Course.public_id == bindparam("course"), Course.deployment_id == bindparam("dep")),
        )
        .outerjoin(
            Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.person_id == Person.id)
        )
    )
    if along is not None:
        stmt = stmt.add_columns(along.entity).outerjoin(along.entity, along.on())
    return stmt.where(
        Person.public_id == bindparam("person"), Person.registration_id == bindparam("reg")
    )


def current_actor_with(along: Along, params: dict[str, Any]) -> tuple[Actor, Any]:
    """:func:`current_actor` and the ``along`` row for ``params`` (None: no such
    row), read in one statement; :data:`NOT_READ` for the row when the actor was
    loaded earlier in this request (the caller then reads it by itself)."""
    if "actor" in g:
        return g.actor, NOT_READ
    raw = _raw_token()
    actor, found = _load(raw, along, params) if raw else (None, None)
    if actor is None:
        abort(401)
    g.actor = actor
    return actor, found


def current_actor() -> Actor:
    """The person behind this request, or a 401 page explaining how to get back in."""
    if "actor" not in g:
        raw = _raw_token()
        actor = load_actor(raw) if raw else None
        if actor is None:
            abort(401)
        g.actor = actor
    result: Actor = g.actor
    return result


def require_actor(*, staff: bool = False) -> Callable[[F], F]:
    """View decorator: a valid session token, and staff roles when ``staff``."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if staff and not actor.is_staff:
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
