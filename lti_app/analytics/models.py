"""Tables of learning measurement and analytics.

Every row hangs off an activity (already scoped to its platform, deployment and
course) and, but for the configuration and the items, belongs to one learner.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_app.courses.models import Person
from lti_app.db import PublicIdMixin, TimestampMixin, utcnow
from lti_app.extensions import db

# Item kinds.
KNOWLEDGE = "knowledge"  #: multiple choice, one correct option: scored, graded
SELF = "self"  #: a 1..5 self-assessment scale: never graded
ITEM_KINDS = (KNOWLEDGE, SELF)
#: Self-assessment scale (1 = not at all … 5 = fully).
SCALE = (1, 2, 3, 4, 5)

# Check phases.
PRE = "pre"
POST = "post"
PHASES = (PRE, POST)

# The xAPI outbox (table ``analytics_statement``) lives with its delivery: ``lti_app.lrs``.


class AnalyticsSetup(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An activity's learning objectives and how its checks run."""

    __tablename__ = "analytics_setup"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), unique=True
    )
    #: Learning objectives, in order ("By the end you can …").
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The post-check asks each self-assessment item twice: "before" (then-test) and now.
    retrospective: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The activity's end: the post-check and the feedback survey are open and the
    #: pre-check is closed (a learner who missed it gets mastery only).
    post_open: Mapped[bool] = mapped_column(Boolean, default=False)
    post_opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Pre-check share of the maximum at or above which gain is waived (mastery sent).
    ceiling: Mapped[float] = mapped_column(Float, default=0.9)


class AnalyticsItem(PublicIdMixin, db.Model):  # type: ignore[name-defined,misc]
    """One item asked at both checks (the same form pre and post, so gain compares
    like with like). Locked once anyone has answered."""

    __tablename__ = "analytics_item"
    __table_args__ = (
        CheckConstraint("kind IN ('knowledge', 'self')", name="kind"),
        # A self-assessment scale has no correct answer: it can never be scored.
        CheckConstraint("kind = 'knowledge' OR correct IS NULL", name="self_unscored"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(16))
    prompt: Mapped[str] = mapped_column(Text)
    #: Multiple-choice options (knowledge items); empty for a scale.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Index of the correct option (knowledge items only).
    correct: Mapped[int | None] = mapped_column(Integer)


class AnalyticsResponse(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A learner's pre- or post-check, submitted once, scored on submission."""

    __tablename__ = "analytics_response"
    __table_args__ = (
        UniqueConstraint("activity_id", "person_id", "phase"),
        CheckConstraint("phase IN ('pre', 'post')", name="phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[str] = mapped_column(String(8))
    #: Item public id → chosen option index / scale value; ``then:<id>`` → the
    #: retrospective "before" rating of a self item (post-check only).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Knowledge items right, and how many were asked (None: no knowledge items).
    score: Mapped[float | None] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float)
    #: Mean of the self-assessment ratings (never graded), and of the "before" ones.
    self_mean: Mapped[float | None] = mapped_column(Float)
    retro_mean: Mapped[float | None] = mapped_column(Float)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    person: Mapped[Person] = relationship()


class AnalyticsFeedback(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """The feedback survey at the activity's end (one per learner, editable)."""

    __tablename__ = "analytics_feedback"
    __table_args__ = (
        UniqueConstraint("activity_id", "person_id"),
        CheckConstraint("satisfaction BETWEEN 0 AND 10", name="satisfaction"),
        CheckConstraint("relevance IS NULL OR relevance BETWEEN 1 AND 5", name="relevance"),
        CheckConstraint("confidence IS NULL OR confidence BETWEEN 1 AND 5", name="confidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    valued: Mapped[str] = mapped_column(Text, default="")
    will_change: Mapped[str] = mapped_column(Text, default="")
    ideas: Mapped[str] = mapped_column(Text, default="")
    #: 0..10 "How likely are you to recommend this to a colleague?" (NPS).
    satisfaction: Mapped[int] = mapped_column(Integer)
    #: 1..5 "relevant to my work" and "confident I can apply it" (NWKM level 1/2).
    relevance: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    person: Mapped[Person] = relationship()


class AnalyticsCursor(db.Model):  # type: ignore[name-defined,misc]
    """How far the xAPI collector has read one source: its last row id (rows that
    are only ever inserted) or its last timestamp (rows that become an event when a
    column is set, such as a check-in's ``answered_at``)."""

    __tablename__ = "analytics_cursor"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime | None] = mapped_column(DateTime)


class AnalyticsPersonWeek(db.Model):  # type: ignore[name-defined,misc]
    """Rollup: a person did something in an activity during the ISO week starting
    ``week`` (a Monday, UTC). Kept up to date from the activities' tables by
    :func:`lti_app.analytics.rollup.refresh`; the weekly-active chart counts these
    instead of scanning every event."""

    __tablename__ = "analytics_person_week"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AnalyticsPersonSpan(db.Model):  # type: ignore[name-defined,misc]
    """Rollup: a person's first and last activity in an activity (participation,
    survival, drop-outs)."""

    __tablename__ = "analytics_person_span"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    first_at: Mapped[datetime] = mapped_column(DateTime)
    last_at: Mapped[datetime] = mapped_column(DateTime)
