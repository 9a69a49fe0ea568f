"""Who reads which journal entry. Privacy lives here, in the query: every page,
JSON answer, export and search builds on :func:`visible_entries`.

* the author reads their own entries;
* staff of the course read every entry of the activity (learners are told so);
* another learner reads an entry only when its author shared it with their group
  and both are in the same group of the course's latest published grouping;
* nobody else (mentors, guests) reads entries.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, false, or_, select
from sqlalchemy.orm import aliased

from lti_app.actor.session import Actor
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import (
    PUBLISHED,
    GroupingMember,
    GroupingRound,
)
from lti_app.peer_activities.journal.models import JournalEntry
from lti_app.peer_activities.models import Activity


def group_mates_subquery(course_id: Any, person_id: Any) -> Any:
    """The person ids in the person's group of the course's most recently published
    grouping round (of any activity), not them: a subquery, for the entries'
    query to read in the same round trip. ``course_id`` and ``person_id`` are
    values or bound parameters."""
    round_id = (
        select(GroupingRound.id)
        .where(GroupingRound.course_id == course_id, GroupingRound.status == PUBLISHED)
        .order_by(GroupingRound.published_at.desc(), GroupingRound.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    group_id = (
        select(GroupingMember.group_id)
        .where(GroupingMember.round_id == round_id, GroupingMember.person_id == person_id)
        .limit(1)
        .scalar_subquery()
    )
    mate = aliased(GroupingMember)
    return select(mate.person_id).where(mate.group_id == group_id, mate.person_id != person_id)


def _reader(actor: Actor) -> str:
    if actor.is_staff:
        return "staff"
    if actor.roles.is_learner and actor.course is not None:
        return "learner"
    return "nobody"


@cache
def _visible(reader: str, limit: int | None) -> Select[JournalEntry]:
    """The entries of ``:activity`` a ``reader`` (staff, learner or nobody) reads,
    newest first: built once per process, bound ``:activity``, ``:course`` and
    ``:person``."""
    stmt = select(JournalEntry).where(
        JournalEntry.activity_id == bindparam("activity", type_=Integer)
    )
    if reader == "learner":
        # The group mates are read in the same statement (no round trip of their own).
        person = bindparam("person", type_=Integer)
        mates = group_mates_subquery(bindparam("course", type_=Integer), person)
        shared = JournalEntry.person_id.in_(mates) & JournalEntry.shared_with_group
        stmt = stmt.where(or_(JournalEntry.person_id == person, shared))
    elif reader != "staff":
        stmt = stmt.where(false())
    stmt = stmt.order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc())
    return stmt.limit(limit) if limit is not None else stmt


def _params(actor: Actor, activity: Activity) -> dict[str, Any]:
    return {
        "activity": activity.id,
        "course": actor.course.id if actor.course is not None else None,
        "person": actor.person.id,
    }


def visible_entries(actor: Actor, activity: Activity) -> Select[JournalEntry]:
    """The entries of ``activity`` that ``actor`` may read, newest first."""
    params = _params(actor, activity)
    reader = _reader(actor)
    used = {"activity"} | ({"course", "person"} if reader == "learner" else set())
    return _visible(reader, None).params({k: v for k, v in params.items() if k in used})


def visible_entry_list(actor: Actor, activity: Activity, limit: int) -> list[JournalEntry]:
    """The newest ``limit`` entries of :func:`visible_entries`, through the statement
    built once per process (the pages)."""
    reader = _reader(actor)
    params = _params(actor, activity)
    if reader != "learner":
        params = {"activity": params["activity"]}
    return list(db.session.scalars(_visible(reader, limit), params))


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
