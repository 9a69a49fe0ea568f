"""The group agreement of a course: versioned text, and who accepted which version.

A learner accepts once per course, before first seeing a group; editing the text
makes a new version, which everyone is asked to accept again.

Side effects: inserts rows and flushes; the request commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Course, Person
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingAcceptance, GroupingAgreement

log = logging.getLogger(__name__)

DEFAULT_AGREEMENT = """\
Before you meet your group, please agree to these ground rules.

Confidentiality: what is shared in the group stays in the group. You may share what \
you learned, but never who said what, and never details that could identify a \
colleague, a client or an organisation.

Respect: listen to understand, not to reply. Let everyone finish, give each person \
room to speak, and assume good intent. Disagree with ideas, never with people.

Thoughtful discourse: be specific and constructive, ask before giving advice, and \
offer experience rather than judgement. Keep to the time agreed and come prepared.

Psychological safety: nobody has to share more than they want to. If something \
makes you uncomfortable, say so in the group or tell your instructor."""


class StaleAgreement(ValueError):
    """The learner accepted a version that is no longer the current one."""


@dataclass(frozen=True)
class Agreement:
    version: int
    text: str


def current_agreement(course: Course) -> Agreement:
    """The version in force (version 1 with the default text until someone edits it)."""
    row = db.session.scalar(
        select(GroupingAgreement)
        .where(GroupingAgreement.course_id == course.id)
        .order_by(GroupingAgreement.version.desc())
        .limit(1)
    )
    if row is None:
        return Agreement(1, DEFAULT_AGREEMENT)
    return Agreement(row.version, row.text)


def save_agreement(course: Course, editor: Person, text: str) -> Agreement:
    """Store edited text as a new version (nothing happens when it is unchanged);
    learners who accepted an earlier version are asked again."""
    current = current_agreement(course)
    if text == current.text:
        return current
    row = GroupingAgreement(
        course_id=course.id, version=current.version + 1, text=text, edited_by_id=editor.id
    )
    db.session.add(row)
    db.session.flush()
    log.info("agreement of course %s is now version %d", course.public_id, row.version)
    return Agreement(row.version, row.text)


def has_accepted(course: Course, person: Person, version: int | None = None) -> bool:
    """Whether the person accepted the version in force (or ``version``)."""
    wanted = version if version is not None else current_agreement(course).version
    found = db.session.scalar(
        select(GroupingAcceptance.id).where(
            GroupingAcceptance.course_id == course.id,
            GroupingAcceptance.person_id == person.id,
            GroupingAcceptance.version == wanted,
        )
    )
    return found is not None


def accepted_versions(course: Course, person: Person) -> list[int]:
    """The versions the person accepted, oldest first."""
    return list(
        db.session.scalars(
            select(GroupingAcceptance.version)
            .where(
                GroupingAcceptance.course_id == course.id, GroupingAcceptance.person_id == person.id
            )
            .order_by(GroupingAcceptance.version)
        )
    )


def accepted_person_ids(course: Course, version: int | None = None) -> set[int]:
    """Ids of the people who accepted the version in force (``version``, when the
    caller has read it already)."""
    if version is None:
        version = current_agreement(course).version
    return set(
        db.session.scalars(
            select(GroupingAcceptance.person_id).where(
                GroupingAcceptance.course_id == course.id, GroupingAcceptance.version == version
            )
        )
    )


def accept_agreement(course: Course, person: Person, version: int) -> None:
    """Record that the person accepted ``version`` (the one they were shown).

    Raises StaleAgreement when the text changed in between, so they read the new
    one first. The default text is stored as version 1 on its first acceptance, so
    every acceptance points at the words that were accepted. Idempotent.
    """
    current = current_agreement(course)
    if version != current.version:
        raise StaleAgreement("the agreement changed; read the new version")
    if has_accepted(course, person, version):
        return
    try:
        with db.session.begin_nested():
            exists = db.session.scalar(
                select(func.count(GroupingAgreement.id)).where(
                    GroupingAgreement.course_id == course.id
                )
            )
            if not exists:
                db.session.add(
                    GroupingAgreement(
                        course_id=course.id, version=current.version, text=current.text
                    )
                )
            db.session.add(
                GroupingAcceptance(course_id=course.id, person_id=person.id, version=version)
            )
    except IntegrityError:
        # A concurrent request stored version 1 or this acceptance first.
        if not has_accepted(course, person, version):
            db.session.add(
                GroupingAcceptance(course_id=course.id, person_id=person.id, version=version)
            )
            db.session.flush()
    log.info(
        "agreement v%d accepted course=%s person=%s", version, course.public_id, person.public_id
    )
