"""Tables of the journal activity: entries, action plan items with their status
history, each learner's progress (the completion that anchors check-ins), the
scheduled check-ins with their answers, and observation requests.

Every row hangs off an activity (already scoped to its platform, deployment and
course) and, but for observations, belongs to one learner (``person_id``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_app import clock as product_clock
from lti_app.courses.models import Person
from lti_app.db import PublicIdMixin, TimestampMixin
from lti_app.extensions import db

# Action plan item statuses.
PLANNED = "planned"
STARTED = "started"
DONE = "done"
DROPPED = "dropped"
ITEM_STATUSES = (PLANNED, STARTED, DONE, DROPPED)

# Check-in statuses: pending (scheduled; due once its day has come), answered,
# cancelled (the learner's completion was reopened before they answered).
PENDING = "pending"
ANSWERED = "answered"
CANCELLED = "cancelled"
CHECKIN_STATUSES = (PENDING, ANSWERED, CANCELLED)

# Applied? per action item in a check-in.
NOT_YET = "not_yet"
TRIED = "tried"
REGULAR = "regular"
APPLIED = (NOT_YET, TRIED, REGULAR)

# Observation requests.
REQUESTED = "requested"
CONFIRMED = "confirmed"
DECLINED = "declined"
OBSERVATION_STATUSES = (REQUESTED, CONFIRMED, DECLINED)


class JournalEntry(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A prompted entry. Private to its author and staff unless shared with the
    author's group (see ``visibility``)."""

    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    #: ``[{"prompt": text, "html": sanitised HTML}, …]`` in prompt order.
    responses: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    #: The responses as plain text, for search (derived from the sanitised HTML).
    plain_text: Mapped[str] = mapped_column(Text, default="")
    #: Tag: an activity of the same course this entry reflects on.
    linked_activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="SET NULL")
    )
    #: Tags: skills, as typed (short labels).
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Readable by the author's group (the course's latest published grouping).
    shared_with_group: Mapped[bool] = mapped_column(Boolean, default=False)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class JournalActionItem(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """One thing a learner will try at work."""

    __tablename__ = "journal_action_item"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'started', 'done', 'dropped')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    what: Mapped[str] = mapped_column(String(500))
    by_when: Mapped[date | None] = mapped_column(Date)
    #: How I will know it worked.
    evidence: Mapped[str] = mapped_column(String(1000), default="")
    #: The latest status; every change is kept in ``journal_action_update``.
    status: Mapped[str] = mapped_column(String(16), default=PLANNED)

    updates: Mapped[list[JournalActionUpdate]] = relationship(
        back_populates="item",
        order_by="JournalActionUpdate.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class JournalActionUpdate(db.Model):  # type: ignore[name-defined,misc]
    """The status of an action item from a point in time on (its history)."""

    __tablename__ = "journal_action_update"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'started', 'done', 'dropped')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("journal_action_item.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=product_clock.now)

    item: Mapped[JournalActionItem] = relationship(back_populates="updates")


class JournalProgress(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A learner's completion of the journal: the anchor of their check-ins."""

    __tablename__ = "journal_progress"
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    #: When the completion rule was met (UTC); None: not (or no longer) complete.
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Staff reopened the completion: it is met again only by writing after this.
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime)


class JournalCheckin(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A transfer check-in ``day`` days after the learner's anchor, and its answer.
    Never graded: only whether it was answered counts towards completion."""

    __tablename__ = "journal_checkin"
    __table_args__ = (
        UniqueConstraint("activity_id", "person_id", "day"),
        CheckConstraint("status IN ('pending', 'answered', 'cancelled')", name="status"),
        CheckConstraint("confidence IS NULL OR confidence BETWEEN 1 AND 5", name="confidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    #: Days after the anchor (30, 60, 90 …).
    day: Mapped[int] = mapped_column(Integer)
    #: Midnight UTC of the day it comes due (anchor's UTC day + ``day``).
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The periodic sweep handled it: ``sent`` (e-mail queued), ``inactive`` or
    #: ``closed`` (no reminder: enrolment inactive / follow-up closed).
    reminder: Mapped[str | None] = mapped_column(String(16))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Picked barriers (labels) and the learner's own words.
    barriers: Mapped[list[str]] = mapped_column(JSON, default=list)
    barrier_text: Mapped[str] = mapped_column(Text, default="")
    #: Share forward: with whom (picked labels), and how.
    share_with: Mapped[list[str]] = mapped_column(JSON, default=list)
    share_how: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[int | None] = mapped_column(Integer)

    answers: Mapped[list[JournalCheckinAnswer]] = relationship(
        back_populates="checkin",
        order_by="JournalCheckinAnswer.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class JournalCheckinAnswer(db.Model):  # type: ignore[name-defined,misc]
    """Applied? for one action item in one check-in."""

    __tablename__ = "journal_checkin_answer"
    __table_args__ = (
        UniqueConstraint("checkin_id", "item_id"),
        CheckConstraint("applied IN ('not_yet', 'tried', 'regular')", name="applied"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("journal_checkin.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("journal_action_item.id", ondelete="CASCADE"), index=True
    )
    applied: Mapped[str] = mapped_column(String(16))

    checkin: Mapped[JournalCheckin] = relationship(back_populates="answers")
    item: Mapped[JournalActionItem] = relationship()


class JournalObservation(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A learner asks a mentor (or their named manager) to confirm that they saw
    an action item applied. The observer reads only the item and the note."""

    __tablename__ = "journal_observation"
    __table_args__ = (
        UniqueConstraint("item_id", "observer_id"),
        CheckConstraint("status IN ('requested', 'confirmed', 'declined')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("journal_action_item.id", ondelete="CASCADE"), index=True
    )
    observer_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=REQUESTED)
    #: What the learner asks them to confirm (plain text).
    note: Mapped[str] = mapped_column(Text, default="")
    #: The observer's comment (plain text).
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    item: Mapped[JournalActionItem] = relationship()
    observer: Mapped[Person] = relationship()
