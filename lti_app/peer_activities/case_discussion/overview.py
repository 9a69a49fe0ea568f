"""The staff overview of a case discussion (the activity page for staff): the case
and its files, and every group of the published grouping with its members' posts,
who has not spoken, the facilitators, the thread count and the summary status.

Three statements whatever the number of groups (issue 17): one row with the case,
the completion count and whether the activity has files or facilitators; the
groups with their summary, thread count and members; the posts per member. The
files and the facilitators are read only when there are some. The statements are
built once per process and run with bound parameters. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, exists, func, select
from sqlalchemy.orm import joinedload

from lti_app.extensions import db
from lti_app.peer_activities.case_discussion import completion, lookups
from lti_app.peer_activities.case_discussion.lookups import MemberActivity
from lti_app.peer_activities.case_discussion.models import (
    CaseDiscussionAttachment,
    CaseDiscussionCase,
    CaseDiscussionCompletion,
    CaseDiscussionFacilitator,
    CaseDiscussionPost,
    CaseDiscussionSummary,
    CaseDiscussionThread,
)
from lti_app.peer_activities.case_discussion.panel import flash
from lti_app.peer_activities.grouping.models import PUBLISHED as GROUPING_PUBLISHED
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember, GroupingRound
from lti_app.peer_activities.models import Activity


@dataclass
class GroupRow:
    group: GroupingGroup
    members: list[MemberActivity]
    summary: CaseDiscussionSummary | None
    threads: int

    @property
    def silent(self) -> list[str]:
        return [m.person.display_name for m in self.members if m.posts == 0]

    @property
    def posts(self) -> int:
        return sum(m.posts for m in self.members)


@dataclass
class StaffPanel:
    case: CaseDiscussionCase | None
    files: list[CaseDiscussionAttachment]
    groups: list[GroupRow]
    completed: int
    rule: str
    mode: str
    error: str = ""
    message: str = ""


@cache
def _built() -> dict[str, Select[Any]]:
    activity_id = bindparam("activity_id", type_=Integer)
    head = (
        select(
            select(func.count(CaseDiscussionCompletion.id))
            .where(CaseDiscussionCompletion.activity_id == activity_id)
            .scalar_subquery()
            .label("completed"),
            exists().where(CaseDiscussionAttachment.activity_id == activity_id).label("any_file"),
            exists()
            .where(CaseDiscussionFacilitator.activity_id == activity_id)
            .label("any_facilitator"),
            CaseDiscussionCase,
        )
        .select_from(Activity)
        .outerjoin(CaseDiscussionCase, CaseDiscussionCase.activity_id == Activity.id)
        .where(Activity.id == activity_id)
    )
    published = (  # grouping.rounds.published_of
        select(GroupingRound.id)
        .where(GroupingRound.activity_id == activity_id, GroupingRound.status == GROUPING_PUBLISHED)
        .order_by(GroupingRound.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    threads = (
        select(func.count(CaseDiscussionThread.id))
        .where(
            CaseDiscussionThread.activity_id == activity_id,
            CaseDiscussionThread.group_id == GroupingGroup.id,
        )
        .correlate(GroupingGroup)
        .scalar_subquery()
    )
    groups = (
        select(GroupingGroup, CaseDiscussionSummary, threads.label("threads"))
        .outerjoin(CaseDiscussionSummary, CaseDiscussionSummary.group_id == GroupingGroup.id)
        .where(GroupingGroup.round_id == published)
        .options(joinedload(GroupingGroup.members).joinedload(GroupingMember.person))
        .order_by(GroupingGroup.position)
    )
    posts = (
        select(
            CaseDiscussionPost.group_id,
            CaseDiscussionPost.author_id,
            func.count(CaseDiscussionPost.id),
            func.max(CaseDiscussionPost.created_at),
        )
        .where(CaseDiscussionPost.activity_id == activity_id)
        .group_by(CaseDiscussionPost.group_id, CaseDiscussionPost.author_id)
    )
    facilitators = select(
        CaseDiscussionFacilitator.group_id, CaseDiscussionFacilitator.person_id
    ).where(CaseDiscussionFacilitator.activity_id == activity_id)
    files = (
        select(CaseDiscussionAttachment)
        .where(CaseDiscussionAttachment.activity_id == activity_id)
        .order_by(CaseDiscussionAttachment.id)
    )
    return {
        "head": head,
        "groups": groups,
        "posts": posts,
        "facilitators": facilitators,
        "files": files,
    }


def staff_panel(actor: Any, activity: Activity) -> StaffPanel | None:
    """The case, and every group: members' posts, who has not spoken, facilitators,
    summary status."""
    course = actor.course
    if course is None or activity.course_id != course.id:
        return None
    info = flash()
    stmts, params = _built(), {"activity_id": activity.id}
    head = db.session.execute(stmts["head"], params).one()
    counts: dict[int, dict[int, tuple[int, datetime | None]]] = {}
    groups = db.session.execute(stmts["groups"], params).unique().all()
    if groups:
        for group_id, author_id, n, last in db.session.execute(stmts["posts"], params):
            counts.setdefault(group_id, {})[author_id] = (n, last)
    helpers: dict[int, set[int]] = {}
    if head.any_facilitator:
        for group_id, person_id in db.session.execute(stmts["facilitators"], params):
            helpers.setdefault(group_id, set()).add(person_id)
    rows = [
        GroupRow(
            group,
            lookups.member_rows(group, counts.get(group.id, {}), helpers.get(group.id, set())),
            summary,
            threads or 0,
        )
        for group, summary, threads in groups
    ]
    files = list(db.session.scalars(stmts["files"], params)) if head.any_file else []
    return StaffPanel(
        head.CaseDiscussionCase,
        files,
        rows,
        head.completed or 0,
        completion.rule_text(activity),
        lookups.mode(activity),
        info.get("error", ""),
        info.get("message", ""),
    )
