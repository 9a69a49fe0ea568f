"""Where group submissions' groups come from: the published grouping round of
another activity of the same course (setting ``groups_from``). Read-only
lookups, plus the lock that serialises a group's first submission.
"""

from __future__ import annotations

from sqlalchemy import func, select

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember
from lti_app.peer_activities.grouping.rounds import learner_group, published_of
from lti_app.peer_activities.models import Activity


def group_mode(activity: Activity) -> bool:
    return bool(activity.settings.get("group_submissions"))


def group_source(activity: Activity) -> Activity | None:
    """The activity whose published groups submit together (same platform,
    deployment and course), or None when it is unset or gone."""
    source_id = activity.settings.get("groups_from")
    if not source_id or activity.course_id is None:
        return None
    found: Activity | None = db.session.scalar(
        select(Activity).where(
            Activity.public_id == str(source_id),
            Activity.registration_id == activity.registration_id,
            Activity.deployment_id == activity.deployment_id,
            Activity.course_id == activity.course_id,
            Activity.id != activity.id,
        )
    )
    return found


def group_sources(activity: Activity) -> list[Activity]:
    """The other activities of the course with a published grouping round (what
    the instructor can take the groups from)."""
    if activity.course_id is None:
        return []
    others = db.session.scalars(
        select(Activity)
        .where(
            Activity.registration_id == activity.registration_id,
            Activity.deployment_id == activity.deployment_id,
            Activity.course_id == activity.course_id,
            Activity.id != activity.id,
        )
        .order_by(Activity.title, Activity.id)
    )
    return [a for a in others if published_of(a) is not None]


def group_of(activity: Activity, person: Person) -> GroupingGroup | None:
    """The person's group for this activity's group submissions (None: no group)."""
    source = group_source(activity)
    return None if source is None else learner_group(source, person)


def group_people(group: GroupingGroup) -> list[Person]:
    return [m.person for m in group.members]


def group_count(activity: Activity) -> int:
    """How many groups of the source round have members (0 without a round)."""
    source = group_source(activity)
    rnd = None if source is None else published_of(source)
    if rnd is None:
        return 0
    return int(
        db.session.scalar(
            select(func.count(func.distinct(GroupingMember.group_id))).where(
                GroupingMember.round_id == rnd.id
            )
        )
        or 0
    )


def grouped_people(activity: Activity) -> set[int]:
    """The person ids in a group of the source round (empty without one)."""
    source = group_source(activity)
    rnd = None if source is None else published_of(source)
    if rnd is None:
        return set()
    return set(
        db.session.scalars(
            select(GroupingMember.person_id).where(GroupingMember.round_id == rnd.id)
        )
    )


def lock_group(activity: Activity, group: GroupingGroup) -> None:
    """One first submission at a time per group (a transaction-scoped advisory lock
    on PostgreSQL; SQLite serialises writers anyway)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            select(
                func.pg_advisory_xact_lock(
                    _GROUP_LOCK_NAMESPACE ^ (activity.id & 0x7FFFFFFF), group.id & 0x7FFFFFFF
                )
            )
        )


#: Keeps these advisory lock keys apart from the reviewer locks (``reviews``).
_GROUP_LOCK_NAMESPACE = 0x5047  # "PG"
