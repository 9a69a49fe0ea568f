"""What a person meets first at their next launch from any Peerlift link of the
course (see ``peer_activities.notices``): a facilitator's nudge, the published
summary of their group's discussion — first of all when they missed the
discussion — and posts that mention them.

Cheap by design: three SELECTs of the page's one notices statement, each limited
to the actor's own rows by an index. A group's summary and threads open once the
group agreement in force is accepted (``lookups.access``): until then a link to
them would only meet "Not found", so the summary and mention SELECTs carry that
condition themselves.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import Integer, String, bindparam, cast, exists, func, select

from lti_app.peer_activities import notices
from lti_app.peer_activities.case_discussion.models import (
    PUBLISHED,
    CaseDiscussionMention,
    CaseDiscussionNudge,
    CaseDiscussionPost,
    CaseDiscussionSummary,
    CaseDiscussionSummaryRead,
    CaseDiscussionThread,
)
from lti_app.peer_activities.grouping.models import (
    GroupingAcceptance,
    GroupingAgreement,
    GroupingGroup,
    GroupingMember,
)
from lti_app.peer_activities.models import Activity

KEY = "case_discussion"
SUMMARY, NUDGE, MENTION = "summary", "nudge", "mention"


def _accepted() -> Any:
    """The person accepted the course's agreement in force (version 1 until edited)."""
    course, person = bindparam("course", type_=Integer), bindparam("person", type_=Integer)
    in_force = func.coalesce(
        select(func.max(GroupingAgreement.version))
        .where(GroupingAgreement.course_id == course)
        .scalar_subquery(),
        1,
    )
    return exists().where(
        GroupingAcceptance.course_id == course,
        GroupingAcceptance.person_id == person,
        GroupingAcceptance.version == in_force,
    )


def _queries() -> list[Any]:
    course, person = bindparam("course", type_=Integer), bindparam("person", type_=Integer)
    took_part = exists().where(
        CaseDiscussionPost.group_id == CaseDiscussionSummary.group_id,
        CaseDiscussionPost.author_id == person,
    )
    summaries = (
        select(
            *notices.columns(
                KEY,
                texts=(
                    Activity.public_id,
                    Activity.title,
                    GroupingGroup.public_id,
                    cast(CaseDiscussionSummary.published_at, String),
                    None,
                    SUMMARY,
                ),
                numbers=(cast(took_part, Integer),),
            )
        )
        .select_from(CaseDiscussionSummary)
        .join(Activity, Activity.id == CaseDiscussionSummary.activity_id)
        .join(GroupingGroup, GroupingGroup.id == CaseDiscussionSummary.group_id)
        .join(GroupingMember, GroupingMember.group_id == CaseDiscussionSummary.group_id)
        .where(
            Activity.course_id == course,
            GroupingMember.person_id == person,
            CaseDiscussionSummary.status == PUBLISHED,
            _accepted(),
            ~exists().where(
                CaseDiscussionSummaryRead.summary_id == CaseDiscussionSummary.id,
                CaseDiscussionSummaryRead.person_id == person,
            ),
        )
        .order_by(CaseDiscussionSummary.published_at.desc())
        .limit(5)
    )
    nudges = (
        select(
            *notices.columns(
                KEY,
                texts=(
                    Activity.public_id,
                    Activity.title,
                    CaseDiscussionNudge.text,
                    None,
                    None,
                    NUDGE,
                ),
                numbers=(CaseDiscussionNudge.id,),
            )
        )
        .select_from(CaseDiscussionNudge)
        .join(Activity, Activity.id == CaseDiscussionNudge.activity_id)
        .where(
            CaseDiscussionNudge.person_id == person,
            CaseDiscussionNudge.seen_at.is_(None),
            Activity.course_id == course,
        )
        .order_by(CaseDiscussionNudge.id.desc())
        .limit(3)
    )
    mentions = (
        select(
            *notices.columns(
                KEY,
                texts=(
                    Activity.public_id,
                    CaseDiscussionThread.title,
                    CaseDiscussionThread.public_id,
                    None,
                    None,
                    MENTION,
                ),
                numbers=(CaseDiscussionMention.id,),
            )
        )
        .select_from(CaseDiscussionMention)
        .join(CaseDiscussionPost, CaseDiscussionPost.id == CaseDiscussionMention.post_id)
        .join(CaseDiscussionThread, CaseDiscussionThread.id == CaseDiscussionPost.thread_id)
        .join(Activity, Activity.id == CaseDiscussionThread.activity_id)
        .where(
            CaseDiscussionMention.person_id == person,
            CaseDiscussionMention.seen_at.is_(None),
            Activity.course_id == course,
            CaseDiscussionPost.hidden.is_(False),
            _accepted(),
        )
        .order_by(CaseDiscussionMention.id.desc())
        .limit(3)
    )
    return [summaries, nudges, mentions]


def _build(actor: Any, rows: list[Any]) -> list[notices.Notice]:
    token = actor.token()
    found: list[notices.Notice] = []
    for row in sorted((r for r in rows if r.s6 == SUMMARY), key=lambda r: r.s4 or "", reverse=True):
        url = url_for("case_discussion.summary", activity_id=row.s1, group_id=row.s3, t=token)
        if row.n1:
            found.append(
                notices.Notice(
                    "summary",
                    f"Your group's summary of “{row.s2 or 'the discussion'}” is published",
                    "Context, ideas, strategies and resources, as your facilitator put them "
                    "together.",
                    url,
                    "Read the summary",
                    priority=20,
                )
            )
        else:
            found.append(
                notices.Notice(
                    "summary",
                    f"A summary of a discussion you missed: “{row.s2 or 'case discussion'}”",
                    "Your group discussed it without you; here is what they found, in four short "
                    "sections.",
                    url,
                    "Read the summary first",
                    priority=5,
                )
            )
    for row in sorted((r for r in rows if r.s6 == NUDGE), key=lambda r: r.n1, reverse=True):
        found.append(
            notices.Notice(
                "nudge",
                f"A note from your facilitator about “{row.s2 or 'your discussion'}”",
                row.s3 or "",
                url_for("activities.show", activity_id=row.s1, t=token, _anchor="case-discussion"),
                "Join the discussion",
                priority=10,
            )
        )
    seen: set[str] = set()
    for row in sorted((r for r in rows if r.s6 == MENTION), key=lambda r: r.n1, reverse=True):
        if row.s3 in seen:
            continue
        seen.add(row.s3)
        found.append(
            notices.Notice(
                "info",
                f"You were mentioned in “{row.s2}”",
                "",
                url_for("case_discussion.thread", activity_id=row.s1, thread_id=row.s3, t=token),
                "Open the thread",
                priority=30,
            )
        )
    return found


case_discussion_notices = notices.Source(
    KEY, applies=lambda actor: not actor.is_staff, queries=_queries, build=_build
)
#: What the activity registers (see activity.py).
SOURCES = (case_discussion_notices,)
