"""Case discussion rows: the case (with links and attachments), facilitators,
peer-coaching rounds, each group's threads and posts (mentions, "this helped"
reactions), nudges, the structured summary of each group, and completions.

Every row hangs off an activity (already scoped to its platform, deployment and
course) or off a grouping group of that activity. Posts carry their group and
activity too (denormalised) so the participation view and the insights library
are one indexed query each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_app.courses.models import Person
from lti_app.db import PublicIdMixin, TimestampMixin, utcnow
from lti_app.extensions import db

# Peer-coaching stages, in order.
CHALLENGE = "challenge"
QUESTIONS = "questions"
BRAINSTORM = "brainstorm"
PLAN = "plan"
DONE = "done"
STAGES = (CHALLENGE, QUESTIONS, BRAINSTORM, PLAN, DONE)

# Summary sections, in the order a reader meets them.
SECTIONS = ("context", "ideas", "strategies", "resources")

DRAFT = "draft"
PUBLISHED = "published"


class CaseDiscussionCase(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """The case staff wrote for the activity (one per activity)."""

    __tablename__ = "case_discussion_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(255), default="")
    #: The case itself (nh3-sanitised HTML, see ``peer_activities.rich_text``).
    body: Mapped[str] = mapped_column(Text, default="")
    #: ``[{"label": str, "url": "http(s)://…"}]``, checked on save.
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )


class CaseDiscussionAttachment(PublicIdMixin, db.Model):  # type: ignore[name-defined,misc]
    """A file attached to the case, stored as ``<file_key>.bin`` outside the web root."""

    __tablename__ = "case_discussion_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    #: Random hex name of the stored file; never anything a person typed.
    file_key: Mapped[str] = mapped_column(String(64))
    #: The uploaded name after ``secure_filename``, for display and download.
    file_name: Mapped[str] = mapped_column(String(255))
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CaseDiscussionFacilitator(db.Model):  # type: ignore[name-defined,misc]
    """A learner given the facilitator role for one group by staff."""

    __tablename__ = "case_discussion_facilitator"
    __table_args__ = (UniqueConstraint("group_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("grouping_group.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person] = relationship()


class CaseDiscussionRound(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """Peer coaching: round ``number`` of a group, whose presenter rotates through
    the members. The stage moves challenge → questions → brainstorm → plan → done."""

    __tablename__ = "case_discussion_round"
    __table_args__ = (
        UniqueConstraint("group_id", "number"),
        CheckConstraint(
            "stage IN ('challenge', 'questions', 'brainstorm', 'plan', 'done')", name="stage"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("grouping_group.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    presenter_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(16), default=CHALLENGE)
    #: "What I will try", recorded by the presenter (sanitised HTML).
    plan: Mapped[str] = mapped_column(Text, default="")
    plan_recorded_at: Mapped[datetime | None] = mapped_column(DateTime)

    presenter: Mapped[Person] = relationship()


class CaseDiscussionThread(PublicIdMixin, db.Model):  # type: ignore[name-defined,misc]
    """A thread of one group. ``revision`` goes up with every change to its posts
    (new, edited, hidden, reacted to): the polling cursor."""

    __tablename__ = "case_discussion_thread"
    __table_args__ = (Index("ix_case_discussion_thread_group_last", "group_id", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("grouping_group.id", ondelete="CASCADE"))
    #: The peer-coaching round the thread belongs to (None: a free thread).
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_discussion_round.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(255))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    round: Mapped[CaseDiscussionRound | None] = relationship()


class CaseDiscussionPost(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A post in a thread (sanitised HTML). Hidden posts stay for staff and the
    facilitator; members see that a moderator hid it."""

    __tablename__ = "case_discussion_post"
    __table_args__ = (
        Index("ix_case_discussion_post_thread_id", "thread_id", "id"),
        Index("ix_case_discussion_post_thread_revision", "thread_id", "revision"),
        Index("ix_case_discussion_post_group_author", "group_id", "author_id"),
        Index("ix_case_discussion_post_activity_author", "activity_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("case_discussion_thread.id", ondelete="CASCADE")
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("grouping_group.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("courses_person.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    #: Peer-coaching stage the post was written in (None outside a round).
    stage: Mapped[str | None] = mapped_column(String(16))
    #: The thread's revision when this post last changed.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    helped_count: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)

    author: Mapped[Person] = relationship(foreign_keys=[author_id])


class CaseDiscussionMention(db.Model):  # type: ignore[name-defined,misc]
    """``@name`` of a group member in a post; ``seen_at`` once they opened the thread."""

    __tablename__ = "case_discussion_mention"
    __table_args__ = (UniqueConstraint("post_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("case_discussion_post.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)


class CaseDiscussionReaction(db.Model):  # type: ignore[name-defined,misc]
    """ "This helped": one per person and post."""

    __tablename__ = "case_discussion_reaction"
    __table_args__ = (UniqueConstraint("post_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("case_discussion_post.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CaseDiscussionNudge(PublicIdMixin, db.Model):  # type: ignore[name-defined,misc]
    """A facilitator's gentle note to a member, shown at their next launch until
    they open the discussion (``seen_at``)."""

    __tablename__ = "case_discussion_nudge"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("grouping_group.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )
    #: Plain text, escaped on render.
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)


class CaseDiscussionSummary(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """The structured summary of one group's discussion: draft, then published to
    the whole group (and the course's insights library)."""

    __tablename__ = "case_discussion_summary"
    __table_args__ = (CheckConstraint("status IN ('draft', 'published')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("grouping_group.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )

    items: Mapped[list[CaseDiscussionSummaryItem]] = relationship(
        back_populates="summary",
        cascade="all, delete-orphan",
        order_by="CaseDiscussionSummaryItem.position",
    )

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


class CaseDiscussionSummaryItem(PublicIdMixin, db.Model):  # type: ignore[name-defined,misc]
    """One entry of a summary section, placed by the facilitator (``position``):
    ordered by sense, not by time. Captured insights copy the post's text."""

    __tablename__ = "case_discussion_summary_item"
    __table_args__ = (
        CheckConstraint(
            "section IN ('context', 'ideas', 'strategies', 'resources')", name="section"
        ),
        Index("ix_case_discussion_summary_item_summary", "summary_id", "section", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(
        ForeignKey("case_discussion_summary.id", ondelete="CASCADE")
    )
    section: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=1)
    #: Sanitised HTML.
    body: Mapped[str] = mapped_column(Text)
    #: The post this insight was captured from (None: written in the editor).
    source_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_discussion_post.id", ondelete="SET NULL")
    )

    summary: Mapped[CaseDiscussionSummary] = relationship(back_populates="items")


class CaseDiscussionSummaryRead(db.Model):  # type: ignore[name-defined,misc]
    """A person opened a published summary (completion, and ends their notice)."""

    __tablename__ = "case_discussion_summary_read"
    __table_args__ = (UniqueConstraint("summary_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(
        ForeignKey("case_discussion_summary.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CaseDiscussionCompletion(db.Model):  # type: ignore[name-defined,misc]
    """A learner met the activity's completion rule; the score was queued once."""

    __tablename__ = "case_discussion_completion"
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    completed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
