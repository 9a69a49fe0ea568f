"""Names removed from what a course publishes under a no-names promise.

Every feature that promises anonymity (the insights library, anonymous review
comments shown to authors, anonymous survey comments and pseudonymous exports)
asks :func:`redactor_for` for the course's :class:`~lti_app.domain.redaction.Redactor`
and applies it where the text is published or written out — the stored text
is never changed. The names are those of everyone ever enrolled in the course
(staff too, and people who have left): display, given and family names, and
e-mail addresses with their local parts. Read-only.
"""

from __future__ import annotations

from flask import g, has_app_context
from sqlalchemy import select

from lti_app.courses.models import Enrolment, Person
from lti_app.domain.redaction import Redactor, name_forms
from lti_app.extensions import db


def member_names(course_id: int) -> set[str]:
    """Every way of writing the name of someone enrolled in the course."""
    forms: set[str] = set()
    for name, given, family, email in db.session.execute(
        select(Person.name, Person.given_name, Person.family_name, Person.email)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(Enrolment.course_id == course_id)
    ):
        forms |= name_forms(display_name=name, given_name=given, family_name=family, email=email)
    return forms


def redactor_for(course_id: int | None) -> Redactor:
    """The course's redactor, built once per request (or app context)."""
    if course_id is None:
        return Redactor.of(())
    cache: dict[int, Redactor] | None = None
    if has_app_context():
        cache = g.setdefault("peerlift_redactors", {})
        if course_id in cache:
            return cache[course_id]
    found = Redactor.of(member_names(course_id))
    if cache is not None:
        cache[course_id] = found
    return found
