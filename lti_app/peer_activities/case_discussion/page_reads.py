"""The learner's activity panel in two statements (issue 17): everything the panel
shows about the learner — the case, whether they accepted the group agreement,
their group in the published grouping with its members and summary, whether
they completed, how often they posted, and whether the activity has any
facilitator or file at all — in one row per group member; then the group's
threads with their peer-coaching rounds. The facilitators and the case's files
are read only when the activity has some (a third and fourth statement).

The statements are built once per process (``_built``) and run with bound
parameters, so a request pays no SQLAlchemy construction for them. Nothing here
writes; the same rules as ``lookups`` (``learner_group``, ``access``,
``facilitated_groups``) decide what is found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import joinedload

from lti_app.extensions import db
from lti_app.peer_activities.case_discussion.models import (
    CaseDiscussionAttachment,
    CaseDiscussionCase,
    CaseDiscussionCompletion,
    CaseDiscussionFacilitator,
    CaseDiscussionPost,
    CaseDiscussionRound,
    CaseDiscussionSummary,
    CaseDiscussionThread,
)
from lti_app.peer_activities.grouping.models import PUBLISHED as GROUPING_PUBLISHED
from lti_app.peer_activities.grouping.models import (
    GroupingAcceptance,
    GroupingAgreement,
    GroupingGroup,
    GroupingMember,
    GroupingRound,
)
from lti_app.peer_activities.models import Activity


@dataclass
class LearnerReads:
    """What the learner's panel needs, read once."""

    case: CaseDiscussionCase | None
    #: The learner's group (None until they accepted the agreement and were grouped).
    group: GroupingGroup | None
    summary: CaseDiscussionSummary | None
    completed: bool
    posts: int
    facilitator: bool = False
    facilitators: list[CaseDiscussionFacilitator] = field(default_factory=list)
    facilitating: list[GroupingGroup] = field(default_factory=list)
    files: list[CaseDiscussionAttachment] = field(default_factory=list)


@cache
def _built() -> dict[str, Select[Any]]:
    """The panel's statements, constructed once per process."""
    activity_id = bindparam("activity_id", type_=Integer)
    course_id = bindparam("course_id", type_=Integer)
    person_id = bindparam("person_id", type_=Integer)
    # agreement.current_agreement: the latest version, version 1 until edited.
    version = (
        select(func.coalesce(func.max(GroupingAgreement.version), 1))
        .where(GroupingAgreement.course_id == course_id)
        .scalar_subquery()
    )
    accepted = exists().where(
        GroupingAcceptance.course_id == course_id,
        GroupingAcceptance.person_id == person_id,
        GroupingAcceptance.version == version,
    )
    # grouping.rounds.published_of, then learner_group.
    published = (
        select(GroupingRound.id)
        .where(GroupingRound.activity_id == activity_id, GroupingRound.status == GROUPING_PUBLISHED)
        .order_by(GroupingRound.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    group_id = (
        select(GroupingMember.group_id)
        .where(GroupingMember.round_id == published, GroupingMember.person_id == person_id)
        .limit(1)
        .scalar_subquery()
    )
    completed = exists().where(
        CaseDiscussionCompletion.activity_id == activity_id,
        CaseDiscussionCompletion.person_id == person_id,
    )
    posts = (
        select(func.count(CaseDiscussionPost.id))
        .where(
            CaseDiscussionPost.activity_id == activity_id,
            CaseDiscussionPost.author_id == person_id,
        )
        .scalar_subquery()
    )
    any_facilitator = exists().where(CaseDiscussionFacilitator.activity_id == activity_id)
    any_file = exists().where(CaseDiscussionAttachment.activity_id == activity_id)
    learner = (
        select(
            accepted.label("accepted"),
            completed.label("completed"),
            posts.label("posts"),
            any_facilitator.label("any_facilitator"),
            any_file.label("any_file"),
            CaseDiscussionCase,
            GroupingGroup,
            CaseDiscussionSummary,
        )
        .select_from(Activity)
        .outerjoin(CaseDiscussionCase, CaseDiscussionCase.activity_id == Activity.id)
        .outerjoin(GroupingGroup, and_(accepted, GroupingGroup.id == group_id))
        .outerjoin(CaseDiscussionSummary, CaseDiscussionSummary.group_id == GroupingGroup.id)
        .where(Activity.id == activity_id)
        .options(joinedload(GroupingGroup.members).joinedload(GroupingMember.person))
    )
    # lookups.facilitators_of(group) and lookups.facilitated_groups(activity, person)
    # together: the group's facilitators, and the published groups the person facilitates.
    group = bindparam("group_id", type_=Integer)
    facilitators = (
        select(CaseDiscussionFacilitator, GroupingGroup)
        .join(GroupingGroup, GroupingGroup.id == CaseDiscussionFacilitator.group_id)
        .where(
            or_(
                CaseDiscussionFacilitator.group_id == group,
                and_(
                    CaseDiscussionFacilitator.person_id == person_id,
                    GroupingGroup.round_id == bindparam("round_id"),
                ),
            )
        )
        .options(joinedload(CaseDiscussionFacilitator.person))
        .order_by(CaseDiscussionFacilitator.id)
    )
    # lookups.threads_of(group), each with its round (lookups.rounds_of: every
    # round has its thread, made with it by coaching.ensure_rounds).
    threads = (
        select(CaseDiscussionThread)
        .where(CaseDiscussionThread.group_id == group)
        .options(joinedload(CaseDiscussionThread.round))
        .order_by(CaseDiscussionThread.last_post_at.desc(), CaseDiscussionThread.id.desc())
    )
    files = (
        select(CaseDiscussionAttachment)
        .where(CaseDiscussionAttachment.activity_id == activity_id)
        .order_by(CaseDiscussionAttachment.id)
    )
    # routing.thread_access: lookups.thread_of, group_by_id and access in one row.
    in_thread_group = CaseDiscussionThread.group_id
    thread = (
        select(
            CaseDiscussionThread,
            GroupingGroup,
            exists()
            .where(
                GroupingMember.group_id == in_thread_group, GroupingMember.person_id == person_id
            )
            .label("member"),
            accepted.label("accepted"),
            exists()
            .where(
                CaseDiscussionFacilitator.group_id == in_thread_group,
                CaseDiscussionFacilitator.person_id == person_id,
            )
            .label("facilitator"),
        )
        .join(GroupingGroup, GroupingGroup.id == in_thread_group)
        .where(
            CaseDiscussionThread.public_id == bindparam("thread_id"),
            CaseDiscussionThread.activity_id == activity_id,
        )
        .options(
            joinedload(CaseDiscussionThread.round),
            # post authors' names and @mentions: the members, not one read per person
            joinedload(GroupingGroup.members).joinedload(GroupingMember.person),
        )
    )
    return {
        "learner": learner,
        "facilitators": facilitators,
        "threads": threads,
        "files": files,
        "thread": thread,
    }


def learner_reads(activity: Activity, course_id: int, person_id: int) -> LearnerReads:
    stmts = _built()
    params = {"activity_id": activity.id, "course_id": course_id, "person_id": person_id}
    row = db.session.execute(stmts["learner"], params).unique().one()
    found = LearnerReads(
        row.CaseDiscussionCase, row.GroupingGroup, None, bool(row.completed), int(row.posts or 0)
    )
    group = found.group
    if group is not None:
        found.summary = row.CaseDiscussionSummary
        if row.any_facilitator:
            for fac, fgroup in db.session.execute(
                stmts["facilitators"], {**params, "group_id": group.id, "round_id": group.round_id}
            ):
                if fac.group_id == group.id:
                    found.facilitators.append(fac)
                    found.facilitator = found.facilitator or fac.person_id == person_id
                if fac.person_id == person_id and fgroup.round_id == group.round_id:
                    found.facilitating.append(fgroup)
            found.facilitating.sort(key=lambda g: g.position)
    if row.any_file:
        found.files = list(db.session.scalars(stmts["files"], params))
    return found


@dataclass(frozen=True)
class ThreadAccess:
    thread: CaseDiscussionThread
    group: GroupingGroup
    #: A member of the thread's group, who has accepted the course's agreement.
    member: bool
    #: Made the group's facilitator.
    facilitator: bool


def thread_access(
    activity: Activity, course_id: int, person_id: int, thread_id: str
) -> ThreadAccess | None:
    """A thread of the activity with its group and the person's standing in it
    (one statement; None when the activity has no such thread)."""
    params = {
        "activity_id": activity.id,
        "course_id": course_id,
        "person_id": person_id,
        "thread_id": thread_id,
    }
    row = db.session.execute(_built()["thread"], params).unique().one_or_none()
    if row is None:
        return None
    thread, group, member, accepted, facilitator = row
    return ThreadAccess(thread, group, bool(member and accepted), bool(facilitator))


def threads_of(
    group: GroupingGroup,
) -> tuple[list[CaseDiscussionThread], list[CaseDiscussionRound]]:
    """The group's threads (newest first) and its rounds (by number), one statement."""
    threads = list(db.session.scalars(_built()["threads"], {"group_id": group.id}).unique())
    rounds = sorted({t.round for t in threads if t.round is not None}, key=lambda r: r.number)
    return threads, rounds
