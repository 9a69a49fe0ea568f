"""Read-only lookups of case discussions: settings, scoped finds, who may read,
write in or facilitate a group, and participation counts.

Privacy lives here: ``access`` decides what a person may do in a group, and
every find goes through the (already scoped) activity, so another activity's,
course's or platform's id gives None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lti_app.courses.models import Course, Person
from lti_app.extensions import db
from lti_app.peer_activities.case_discussion import MODES, SUMMARY_RULES
from lti_app.peer_activities.case_discussion.models import (
    CaseDiscussionCase,
    CaseDiscussionFacilitator,
    CaseDiscussionPost,
    CaseDiscussionRound,
    CaseDiscussionSummary,
    CaseDiscussionSummaryItem,
    CaseDiscussionThread,
)
from lti_app.peer_activities.grouping import agreement
from lti_app.peer_activities.grouping import rounds as grouping_rounds
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember
from lti_app.peer_activities.models import Activity

#: Newest posts shown per thread page; older ones behind an "older posts" link.
PAGE_SIZE = 50


# -- settings -----------------------------------------------------------------------------


def mode(activity: Activity) -> str:
    raw = (activity.settings or {}).get("mode")
    return raw if raw in MODES else MODES[0]


def is_peer_coaching(activity: Activity) -> bool:
    return mode(activity) == "peer_coaching"


def round_count(activity: Activity) -> int:
    raw = (activity.settings or {}).get("rounds")
    return raw if isinstance(raw, int) and 1 <= raw <= 9 else 3


def completion_posts(activity: Activity) -> int:
    raw = (activity.settings or {}).get("completion_posts")
    return raw if isinstance(raw, int) and 0 <= raw <= 50 else 2


def completion_needs_summary(activity: Activity) -> bool:
    raw = (activity.settings or {}).get("completion_summary")
    return (raw if raw in SUMMARY_RULES else SUMMARY_RULES[0]) == "read"


# -- scoped finds -------------------------------------------------------------------------


def case_of(activity: Activity) -> CaseDiscussionCase | None:
    found: CaseDiscussionCase | None = db.session.scalar(
        select(CaseDiscussionCase).where(CaseDiscussionCase.activity_id == activity.id)
    )
    return found


def published_groups(activity: Activity) -> list[GroupingGroup]:
    """The groups of the activity's published grouping, members and people loaded
    (two more queries, not one per group and person)."""
    rnd = grouping_rounds.published_of(activity)
    if rnd is None:
        return []
    return list(
        db.session.scalars(
            select(GroupingGroup)
            .where(GroupingGroup.round_id == rnd.id)
            .options(selectinload(GroupingGroup.members).selectinload(GroupingMember.person))
            .order_by(GroupingGroup.position)
        )
    )


def group_of(activity: Activity, public_id: str) -> GroupingGroup | None:
    """A group of the activity's published grouping (None for anything else)."""
    rnd = grouping_rounds.published_of(activity)
    if rnd is None:
        return None
    found: GroupingGroup | None = db.session.scalar(
        select(GroupingGroup).where(
            GroupingGroup.public_id == public_id, GroupingGroup.round_id == rnd.id
        )
    )
    return found


def thread_of(activity: Activity, public_id: str) -> CaseDiscussionThread | None:
    found: CaseDiscussionThread | None = db.session.scalar(
        select(CaseDiscussionThread).where(
            CaseDiscussionThread.public_id == public_id,
            CaseDiscussionThread.activity_id == activity.id,
        )
    )
    return found


def post_of(activity: Activity, public_id: str) -> CaseDiscussionPost | None:
    found: CaseDiscussionPost | None = db.session.scalar(
        select(CaseDiscussionPost).where(
            CaseDiscussionPost.public_id == public_id, CaseDiscussionPost.activity_id == activity.id
        )
    )
    return found


def round_of(activity: Activity, public_id: str) -> CaseDiscussionRound | None:
    found: CaseDiscussionRound | None = db.session.scalar(
        select(CaseDiscussionRound).where(
            CaseDiscussionRound.public_id == public_id,
            CaseDiscussionRound.activity_id == activity.id,
        )
    )
    return found


def summary_item_of(activity: Activity, public_id: str) -> CaseDiscussionSummaryItem | None:
    found: CaseDiscussionSummaryItem | None = db.session.scalar(
        select(CaseDiscussionSummaryItem)
        .join(
            CaseDiscussionSummary, CaseDiscussionSummary.id == CaseDiscussionSummaryItem.summary_id
        )
        .where(
            CaseDiscussionSummaryItem.public_id == public_id,
            CaseDiscussionSummary.activity_id == activity.id,
        )
    )
    return found


def summary_of(group: GroupingGroup) -> CaseDiscussionSummary | None:
    found: CaseDiscussionSummary | None = db.session.scalar(
        select(CaseDiscussionSummary).where(CaseDiscussionSummary.group_id == group.id)
    )
    return found


def group_by_id(group_id: int) -> GroupingGroup | None:
    return db.session.get(GroupingGroup, group_id)


# -- who may do what ----------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """What one person may do in one group's discussion."""

    group: GroupingGroup
    #: A member of the group (who has accepted the course's group agreement).
    member: bool
    #: Staff, or a learner staff made facilitator of this group.
    facilitator: bool
    staff: bool

    @property
    def can_read(self) -> bool:
        return self.member or self.facilitator or self.staff

    @property
    def can_post(self) -> bool:
        return self.member or self.facilitator or self.staff

    @property
    def can_moderate(self) -> bool:
        return self.facilitator or self.staff


def is_facilitator(group: GroupingGroup, person: Person) -> bool:
    return (
        db.session.scalar(
            select(CaseDiscussionFacilitator.id).where(
                CaseDiscussionFacilitator.group_id == group.id,
                CaseDiscussionFacilitator.person_id == person.id,
            )
        )
        is not None
    )


def facilitators_of(group: GroupingGroup) -> list[CaseDiscussionFacilitator]:
    return list(
        db.session.scalars(
            select(CaseDiscussionFacilitator)
            .where(CaseDiscussionFacilitator.group_id == group.id)
            .order_by(CaseDiscussionFacilitator.id)
        )
    )


def is_member(group: GroupingGroup, person: Person) -> bool:
    return (
        db.session.scalar(
            select(GroupingMember.id).where(
                GroupingMember.group_id == group.id, GroupingMember.person_id == person.id
            )
        )
        is not None
    )


def access(group: GroupingGroup, person: Person, course: Course, *, staff: bool) -> Access:
    member = (
        not staff
        and is_member(group, person)
        and agreement.has_accepted(course, person, agreement.current_agreement(course).version)
    )
    facilitator = staff or is_facilitator(group, person)
    return Access(group, member, facilitator, staff)


def learner_group(activity: Activity, course: Course, person: Person) -> GroupingGroup | None:
    """The learner's group, once they accepted the group agreement (None otherwise)."""
    current = agreement.current_agreement(course)
    if not agreement.has_accepted(course, person, current.version):
        return None
    return grouping_rounds.learner_group(activity, person)


def facilitated_groups(activity: Activity, person: Person) -> list[GroupingGroup]:
    """Groups of the activity's published grouping that ``person`` facilitates."""
    rnd = grouping_rounds.published_of(activity)
    if rnd is None:
        return []
    return list(
        db.session.scalars(
            select(GroupingGroup)
            .join(CaseDiscussionFacilitator, CaseDiscussionFacilitator.group_id == GroupingGroup.id)
            .where(
                GroupingGroup.round_id == rnd.id, CaseDiscussionFacilitator.person_id == person.id
            )
            .order_by(GroupingGroup.position)
        )
    )


# -- threads and participation ------------------------------------------------------------


def threads_of(group: GroupingGroup) -> list[CaseDiscussionThread]:
    return list(
        db.session.scalars(
            select(CaseDiscussionThread)
            .where(CaseDiscussionThread.group_id == group.id)
            .order_by(CaseDiscussionThread.last_post_at.desc(), CaseDiscussionThread.id.desc())
        )
    )


def rounds_of(group: GroupingGroup) -> list[CaseDiscussionRound]:
    return list(
        db.session.scalars(
            select(CaseDiscussionRound)
            .where(CaseDiscussionRound.group_id == group.id)
            .order_by(CaseDiscussionRound.number)
        )
    )


@dataclass(frozen=True)
class MemberActivity:
    person: Person
    posts: int
    last_post_at: datetime | None
    facilitator: bool = False


def participation(group: GroupingGroup) -> list[MemberActivity]:
    """Posts per member of the group and their latest post (one grouped query);
    members who have not spoken come first, then the quietest."""
    counts = {
        row[0]: (row[1], row[2])
        for row in db.session.execute(
            select(
                CaseDiscussionPost.author_id,
                func.count(CaseDiscussionPost.id),
                func.max(CaseDiscussionPost.created_at),
            )
            .where(CaseDiscussionPost.group_id == group.id)
            .group_by(CaseDiscussionPost.author_id)
        )
    }
    helpers = {f.person_id for f in facilitators_of(group)}
    return member_rows(group, counts, helpers)


def participation_of_groups(
    activity: Activity, groups: list[GroupingGroup]
) -> dict[int, list[MemberActivity]]:
    """``participation`` of every group of the activity in two queries (the staff
    overview)."""
    counts: dict[int, dict[int, tuple[int, datetime | None]]] = {}
    for group_id, author_id, n, last in db.session.execute(
        select(
            CaseDiscussionPost.group_id,
            CaseDiscussionPost.author_id,
            func.count(CaseDiscussionPost.id),
            func.max(CaseDiscussionPost.created_at),
        )
        .where(CaseDiscussionPost.activity_id == activity.id)
        .group_by(CaseDiscussionPost.group_id, CaseDiscussionPost.author_id)
    ):
        counts.setdefault(group_id, {})[author_id] = (n, last)
    helpers: dict[int, set[int]] = {}
    for group_id, person_id in db.session.execute(
        select(CaseDiscussionFacilitator.group_id, CaseDiscussionFacilitator.person_id).where(
            CaseDiscussionFacilitator.activity_id == activity.id
        )
    ):
        helpers.setdefault(group_id, set()).add(person_id)
    return {g.id: member_rows(g, counts.get(g.id, {}), helpers.get(g.id, set())) for g in groups}


def member_rows(
    group: GroupingGroup, counts: Mapping[int, tuple[int, datetime | None]], helpers: set[int]
) -> list[MemberActivity]:
    rows = [
        MemberActivity(
            m.person,
            counts.get(m.person_id, (0, None))[0],
            counts.get(m.person_id, (0, None))[1],
            m.person_id in helpers,
        )
        for m in group.members
    ]
    return sorted(
        rows, key=lambda r: (r.posts, r.last_post_at or datetime.min, r.person.display_name)
    )


def summaries_of(activity: Activity) -> dict[int, CaseDiscussionSummary]:
    """Each group's summary, by group id."""
    return {
        s.group_id: s
        for s in db.session.scalars(
            select(CaseDiscussionSummary).where(CaseDiscussionSummary.activity_id == activity.id)
        )
    }


def posts_by(activity: Activity, person: Person) -> int:
    return (
        db.session.scalar(
            select(func.count(CaseDiscussionPost.id)).where(
                CaseDiscussionPost.activity_id == activity.id,
                CaseDiscussionPost.author_id == person.id,
            )
        )
        or 0
    )


def posted_in_group(group_id: int, person_id: int) -> bool:
    return (
        db.session.scalar(
            select(CaseDiscussionPost.id)
            .where(
                CaseDiscussionPost.group_id == group_id, CaseDiscussionPost.author_id == person_id
            )
            .limit(1)
        )
        is not None
    )


def posted_in_round(rnd: CaseDiscussionRound, person_id: int) -> bool:
    return (
        db.session.scalar(
            select(CaseDiscussionPost.id)
            .join(CaseDiscussionThread, CaseDiscussionThread.id == CaseDiscussionPost.thread_id)
            .where(
                CaseDiscussionThread.round_id == rnd.id, CaseDiscussionPost.author_id == person_id
            )
            .limit(1)
        )
        is not None
    )
