"""Who reads which journal entry. Privacy lives here, in the query: every page,
JSON answer, export and search builds on :func:`visible_entries`.

* the author reads their own entries;
* staff of the course read every entry of the activity (learners are told so);
* another learner reads an entry only when its author shared it with their group
  and both are in the same group of the course's latest published grouping;
* nobody else (mentors, guests) reads entries.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import aliased

from lti_app.actor.session import Actor
from lti_app.courses.models import Course, Person
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import (
    PUBLISHED,
    GroupingMember,
    GroupingRound,
)
from lti_app.peer_activities.journal.models import JournalEntry
from lti_app.peer_activities.models import Activity


def group_mates_subquery(course: Course, person: Person) -> Any:
    """The person ids in ``person``'s group of the course's most recently published
    grouping round (of any activity), not them: a subquery, for the entries'
    query to read in the same round trip."""
    round_id = (
        select(GroupingRound.id)
        .where(GroupingRound.course_id == course.id, GroupingRound.status == PUBLISHED)
        .order_by(GroupingRound.published_at.desc(), GroupingRound.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    group_id = (
        select(GroupingMember.group_id)
        .where(GroupingMember.round_id == round_id, GroupingMember.person_id == person.id)
        .limit(1)
        .scalar_subquery()
    )
    mate = aliased(GroupingMember)
    return select(mate.person_id).where(mate.group_id == group_id, mate.person_id != person.id)


def visible_entries(actor: Actor, activity: Activity) -> Select[JournalEntry]:
    """The entries of ``activity`` that ``actor`` may read, newest first."""
    stmt = select(JournalEntry).where(JournalEntry.activity_id == activity.id)
    if actor.is_staff:
        pass
    elif actor.roles.is_learner and actor.course is not None:
        # The group mates are read in the same statement (no round trip of their own).
        mates = group_mates_subquery(actor.course, actor.person)
        shared = JournalEntry.person_id.in_(mates) & JournalEntry.shared_with_group
        stmt = stmt.where(or_(JournalEntry.person_id == actor.person.id, shared))
    else:
        stmt = stmt.where(false())
    return stmt.order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc())


def search_entries(
    actor: Actor, activity: Activity, query: str, limit: int = 200
) -> list[JournalEntry]:
    """Visible entries whose text (or skill tags) contain ``query`` (case-insensitive)."""
    stmt = visible_entries(actor, activity)
    words = [w for w in query.split() if w][:8]
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(JournalEntry.plain_text.ilike(pattern, escape="\\"))
    return list(db.session.scalars(stmt.limit(limit)))
