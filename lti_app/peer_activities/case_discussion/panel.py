"""What the pages show about a case discussion, per audience: the learner's case,
group threads, peer-coaching rounds and published summary; a thread's posts (the
newest page, older ones behind a link); the facilitator's participation view;
and the staff overview of every group. Building a view may create a group's
peer-coaching rounds on first look (``coaching.ensure_rounds``); nothing else is
written here.

Privacy by query: a learner's view is built from their own group only (see
``lookups.access``); hidden posts' text is left out for anyone who may not
moderate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g
from sqlalchemy import select

from lti_app.courses.models import Course, Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.peer_activities import rich_text
from lti_app.peer_activities.case_discussion import (
    coaching,
    completion,
    facilitation,
    lookups,
    page_reads,
    services,
    summaries,
)
from lti_app.peer_activities.case_discussion.lookups import Access, MemberActivity
from lti_app.peer_activities.case_discussion.models import (
    CaseDiscussionAttachment,
    CaseDiscussionCase,
    CaseDiscussionPost,
    CaseDiscussionRound,
    CaseDiscussionSummary,
    CaseDiscussionThread,
)
from lti_app.peer_activities.case_discussion.page_reads import LearnerReads
from lti_app.peer_activities.grouping.models import GroupingGroup
from lti_app.peer_activities.models import Activity


def enabled(activity: Activity) -> bool:
    return activity.activity_type == "case_discussion"


def flash() -> dict[str, Any]:
    found: dict[str, Any] = g.get("case_discussion_flash") or {}
    return found


def ago(when: datetime | None, now: datetime | None = None) -> str:
    """ "3 h ago", for the participation view and post headers."""
    if when is None:
        return "never"
    seconds = max(0, int(((now or utcnow()) - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


# -- a group's discussion -----------------------------------------------------------------


@dataclass
class RoundView:
    rnd: CaseDiscussionRound
    thread: CaseDiscussionThread | None
    is_current: bool
    #: The viewer presents this round.
    mine: bool
    can_lead: bool

    @property
    def stage_label(self) -> str:
        return coaching.STAGE_LABELS[self.rnd.stage]


@dataclass
class Discussion:
    acc: Access
    threads: list[CaseDiscussionThread]
    rounds: list[RoundView]
    member_names: list[str]
    facilitator_names: list[str]
    summary: CaseDiscussionSummary | None

    @property
    def group(self) -> GroupingGroup:
        return self.acc.group


def discussion(
    activity: Activity, acc: Access, person: Person, reads: LearnerReads | None = None
) -> Discussion:
    """A group's discussion; ``reads`` carries what the learner's panel already read
    (its summary and facilitators), so only the threads are read here."""
    group = acc.group
    threads, rounds = page_reads.threads_of(group)
    if not rounds and lookups.is_peer_coaching(activity) and len(group.members) >= 2:
        rounds = coaching.ensure_rounds(activity, group)  # first look: made once
        threads, _ = page_reads.threads_of(group)
    by_round = {t.round_id: t for t in threads if t.round_id is not None}
    current = coaching.current_round(rounds)
    views = [
        RoundView(
            r,
            by_round.get(r.id),
            current is not None and r.id == current.id,
            r.presenter_id == person.id,
            current is not None
            and r.id == current.id
            and (r.presenter_id == person.id or acc.can_moderate),
        )
        for r in rounds
    ]
    summary = reads.summary if reads is not None else lookups.summary_of(group)
    facilitators = reads.facilitators if reads is not None else lookups.facilitators_of(group)
    return Discussion(
        acc,
        [t for t in threads if t.round_id is None],
        views,
        [m.person.display_name for m in group.members],
        [f.person.display_name for f in facilitators],
        summary,
    )


# -- the activity page, learner -----------------------------------------------------------


@dataclass
class LearnerPanel:
    #: ``no_course``, ``not_ready`` (survey, agreement or group missing) or ``discuss``.
    step: str
    case: CaseDiscussionCase | None = None
    files: list[CaseDiscussionAttachment] = field(default_factory=list)
    disc: Discussion | None = None
    #: Groups this learner facilitates (their links to the facilitator's tools).
    facilitating: list[GroupingGroup] = field(default_factory=list)
    completed: bool = False
    posts: int = 0
    rule: str = ""
    error: str = ""
    message: str = ""
    form: dict[str, str] = field(default_factory=dict)


def learner_panel(actor: Any, activity: Activity) -> LearnerPanel:
    """The case, the learner's group threads and rounds, and the published summary."""
    course: Course | None = actor.course
    info = flash()
    if course is None or activity.course_id != course.id:
        return LearnerPanel("no_course")
    reads = page_reads.learner_reads(activity, course.id, actor.person.id)
    group = reads.group
    if group is None:
        return LearnerPanel("not_ready", reads.case, reads.files)
    # lookups.access for a learner: a member of the group (found through their
    # membership, once they accepted the agreement), a facilitator if made one.
    acc = Access(group, True, reads.facilitator, False)
    return LearnerPanel(
        "discuss",
        reads.case,
        reads.files,
        discussion(activity, acc, actor.person, reads),
        reads.facilitating,
        reads.completed,
        reads.posts,
        completion.rule_text(activity),
        info.get("error", ""),
        info.get("message", ""),
        info.get("form", {}),
    )


# -- a thread -----------------------------------------------------------------------------


#: What an edit box shows (the one shared implementation).
editable = rich_text.editable


@dataclass
class PostView:
    post: CaseDiscussionPost
    author: str
    #: None when hidden from this reader.
    body: str | None
    mentions: list[str]
    mentions_me: bool
    helped_by_me: bool
    can_edit: bool
    mine: bool

    @property
    def stage_label(self) -> str:
        return coaching.STAGE_LABELS.get(self.post.stage or "", "")

    @property
    def editable(self) -> str:
        return editable(self.body or "")


@dataclass
class ThreadView:
    thread: CaseDiscussionThread
    acc: Access
    posts: list[PostView]
    #: Public id of the oldest post shown, when older ones exist.
    older: str | None
    cursor: int
    rnd: CaseDiscussionRound | None
    error: str = ""
    form: dict[str, str] = field(default_factory=dict)


def post_views(
    posts: list[CaseDiscussionPost], acc: Access, person: Person, *, locked: bool = False
) -> list[PostView]:
    ids = [p.id for p in posts]
    mentions = services.mentions_of(ids)
    helped = services.helped_by(person, ids)
    names = {m.person_id: m.person.display_name for m in acc.group.members}
    now = utcnow()
    views = []
    for post in posts:
        visible = not post.hidden or acc.can_moderate
        views.append(
            PostView(
                post,
                post.author.display_name,
                post.body if visible else None,
                [names[pid] for pid in mentions.get(post.id, []) if pid in names],
                person.id in mentions.get(post.id, []),
                post.id in helped,
                services.can_edit(post, person, now) and not locked,
                post.author_id == person.id,
            )
        )
    return views


def thread_view(
    acc: Access, thread: CaseDiscussionThread, person: Person, before: str | None = None
) -> ThreadView:
    """The newest ``PAGE_SIZE`` posts (or those before post ``before``), oldest first."""
    stmt = select(CaseDiscussionPost).where(CaseDiscussionPost.thread_id == thread.id)
    if before:
        anchor = db.session.scalar(
            select(CaseDiscussionPost.id).where(
                CaseDiscussionPost.public_id == before, CaseDiscussionPost.thread_id == thread.id
            )
        )
        if anchor is not None:
            stmt = stmt.where(CaseDiscussionPost.id < anchor)
    rows = list(
        db.session.scalars(stmt.order_by(CaseDiscussionPost.id.desc()).limit(lookups.PAGE_SIZE + 1))
    )
    older = None
    if len(rows) > lookups.PAGE_SIZE:
        rows = rows[: lookups.PAGE_SIZE]
        older = rows[-1].public_id
    rows.reverse()
    info = flash()
    return ThreadView(
        thread,
        acc,
        post_views(rows, acc, person, locked=thread.locked),
        older,
        thread.revision,
        thread.round,
        info.get("error", ""),
        info.get("form", {}),
    )


def changes_since(
    acc: Access, thread: CaseDiscussionThread, person: Person, since: int
) -> list[PostView]:
    """Posts new or changed after revision ``since`` (the polling endpoint), in
    revision order, at most ``PAGE_SIZE`` (the caller's next cursor is the last
    one's revision when the page is full)."""
    rows = list(
        db.session.scalars(
            select(CaseDiscussionPost)
            .where(CaseDiscussionPost.thread_id == thread.id, CaseDiscussionPost.revision > since)
            .order_by(CaseDiscussionPost.revision)
            .limit(lookups.PAGE_SIZE)
        )
    )
    return post_views(rows, acc, person, locked=thread.locked)


# -- facilitator --------------------------------------------------------------------------


@dataclass
class ParticipationView:
    acc: Access
    members: list[MemberActivity]
    defaults: dict[str, str]

    @property
    def silent(self) -> list[MemberActivity]:
        return [m for m in self.members if m.posts == 0]


def participation_view(acc: Access) -> ParticipationView:
    members = lookups.participation(acc.group)
    return ParticipationView(
        acc, members, {m.person.public_id: facilitation.default_nudge(m.person) for m in members}
    )


@dataclass
class SummaryView:
    acc: Access
    summary: CaseDiscussionSummary | None
    sections: list[tuple[str, str, list[Any]]]
    readers: set[int]
    absentees: list[str]
    hints: dict[str, str]
    error: str = ""
    form: dict[str, str] = field(default_factory=dict)


def summary_view(acc: Access) -> SummaryView:
    summary = lookups.summary_of(acc.group)
    readers = summaries.readers_of(summary) if summary else set()
    absentees = [
        m.person.display_name
        for m in acc.group.members
        if not lookups.posted_in_group(acc.group.id, m.person_id)
    ]
    info = flash()
    return SummaryView(
        acc,
        summary,
        summaries.sections_of(summary),
        readers,
        absentees,
        summaries.SECTION_HINTS,
        info.get("error", ""),
        info.get("form", {}),
    )
