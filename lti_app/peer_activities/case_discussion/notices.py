"""What a person meets first at their next launch from any Peerlift link of the
course (see ``peer_activities.notices``): a facilitator's nudge, the published
summary of their group's discussion — first of all when they missed the
discussion — and posts that mention them.

Cheap by design: three indexed queries, each limited to the actor's own rows.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import exists, select

from lti_app.extensions import db
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
from lti_app.peer_activities.grouping import agreement
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember
from lti_app.peer_activities.models import Activity


@notices.provider
def case_discussion_notices(actor: Any) -> list[notices.Notice]:
    course = actor.course
    if course is None or actor.is_staff:
        return []
    person = actor.person
    token = actor.token()
    found: list[notices.Notice] = []
    # A group's summary and threads open once the group agreement in force is accepted
    # (lookups.access): until then a link to them would only meet "Not found".
    can_read = agreement.has_accepted(course, person)
    summaries = [] if not can_read else db.session.execute(
        select(CaseDiscussionSummary.group_id, Activity.public_id, Activity.title,
               GroupingGroup.public_id,
               exists().where(CaseDiscussionPost.group_id == CaseDiscussionSummary.group_id,
                              CaseDiscussionPost.author_id == person.id))
        .join(Activity, Activity.id == CaseDiscussionSummary.activity_id)
        .join(GroupingGroup, GroupingGroup.id == CaseDiscussionSummary.group_id)
        .join(GroupingMember, GroupingMember.group_id == CaseDiscussionSummary.group_id)
        .where(Activity.course_id == course.id, GroupingMember.person_id == person.id,
               CaseDiscussionSummary.status == PUBLISHED,
               ~exists().where(CaseDiscussionSummaryRead.summary_id == CaseDiscussionSummary.id,
                               CaseDiscussionSummaryRead.person_id == person.id))
        .order_by(CaseDiscussionSummary.published_at.desc()).limit(5)).all()
    for _, activity_id, title, group_id, took_part in summaries:
        url = url_for("case_discussion.summary", activity_id=activity_id, group_id=group_id,
                      t=token)
        if took_part:
            found.append(notices.Notice(
                "summary", f"Your group's summary of “{title or 'the discussion'}” is published",
                "Context, ideas, strategies and resources, as your facilitator put them "
                "together.", url, "Read the summary", priority=20))
        else:
            found.append(notices.Notice(
                "summary", f"A summary of a discussion you missed: “{title or 'case discussion'}”",
                "Your group discussed it without you; here is what they found, in four short "
                "sections.", url, "Read the summary first", priority=5))
    nudges = db.session.execute(
        select(CaseDiscussionNudge.text, Activity.public_id, Activity.title)
        .join(Activity, Activity.id == CaseDiscussionNudge.activity_id)
        .where(CaseDiscussionNudge.person_id == person.id, CaseDiscussionNudge.seen_at.is_(None),
               Activity.course_id == course.id)
        .order_by(CaseDiscussionNudge.id.desc()).limit(3)).all()
    for text, activity_id, title in nudges:
        found.append(notices.Notice(
            "nudge", f"A note from your facilitator about “{title or 'your discussion'}”", text,
            url_for("activities.show", activity_id=activity_id, t=token, _anchor="case-discussion"),
            "Join the discussion", priority=10))
    mentions = [] if not can_read else db.session.execute(
        select(CaseDiscussionThread.public_id, CaseDiscussionThread.title, Activity.public_id)
        .select_from(CaseDiscussionMention)
        .join(CaseDiscussionPost, CaseDiscussionPost.id == CaseDiscussionMention.post_id)
        .join(CaseDiscussionThread, CaseDiscussionThread.id == CaseDiscussionPost.thread_id)
        .join(Activity, Activity.id == CaseDiscussionThread.activity_id)
        .where(CaseDiscussionMention.person_id == person.id,
               CaseDiscussionMention.seen_at.is_(None), Activity.course_id == course.id,
               CaseDiscussionPost.hidden.is_(False))
        .order_by(CaseDiscussionMention.id.desc()).limit(3)).all()
    seen: set[str] = set()
    for thread_id, thread_title, activity_id in mentions:
        if thread_id in seen:
            continue
        seen.add(thread_id)
        found.append(notices.Notice(
            "info", f"You were mentioned in “{thread_title}”", "", url_for(
                "case_discussion.thread", activity_id=activity_id, thread_id=thread_id,
                t=token), "Open the thread", priority=30))
    return found
