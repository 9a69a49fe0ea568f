"""Grouping people for the group activities: intake survey, group agreement, rounds.

Course-level rows (survey, intake answers, reporting lines, agreement) are shared
by every group activity of a course; rounds belong to one activity. Every lookup
goes through a course or an activity that was already scoped to the platform.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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

DRAFT = "draft"
PUBLISHED = "published"


class GroupingSurvey(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """The instructor's intake survey of a course. No row: the default survey."""

    __tablename__ = "grouping_survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses_course.id", ondelete="CASCADE"), unique=True
    )
    #: The challenges learners pick their top three from, in display order.
    challenges: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Extra questions: ``{"key", "label", "kind": "text"|"choice", "choices": [...]}``.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class GroupingIntake(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """One person's intake answers in one course (editable by them later)."""

    __tablename__ = "grouping_intake"
    __table_args__ = (UniqueConstraint("course_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    role_title: Mapped[str] = mapped_column(String(120), default="")
    #: Ordinal 1..len(lti_app.domain.matching.LEVELS).
    level: Mapped[int | None] = mapped_column(Integer)
    years: Mapped[float | None] = mapped_column(Float)
    function: Mapped[str] = mapped_column(String(80), default="")
    organisation: Mapped[str] = mapped_column(String(120), default="")
    #: Who they report to when picked from the roster …
    reports_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )
    #: … or as typed (an email or a name the roster may not contain).
    reports_to_text: Mapped[str] = mapped_column(String(255), default="")
    #: Picked from the survey's challenge list (labels, at most three).
    challenges: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: A challenge in their own words.
    challenge_other: Mapped[str] = mapped_column(String(120), default="")
    #: Answers to the survey's extra questions, by question key.
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    reports_to: Mapped[Person | None] = relationship(foreign_keys=[reports_to_id])


class GroupingReportingLine(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A reporting line imported by an instructor (CSV). Wins over the learner's own
    answer. Keys are person public ids, or ``ext:<normalised email or name>`` for
    people not on the roster (kept so a skip-level line through them is seen)."""

    __tablename__ = "grouping_reporting_line"
    __table_args__ = (UniqueConstraint("course_id", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"))
    subject_key: Mapped[str] = mapped_column(String(255))
    manager_key: Mapped[str] = mapped_column(String(255))
    #: As written in the imported file, for the instructor's eyes.
    subject_label: Mapped[str] = mapped_column(String(255), default="")
    manager_label: Mapped[str] = mapped_column(String(255), default="")


class GroupingAgreement(db.Model):  # type: ignore[name-defined,misc]
    """One version of a course's group agreement; the highest version is in force.
    No row: version 1 with the default text (stored once someone accepts it)."""

    __tablename__ = "grouping_agreement"
    __table_args__ = (UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GroupingAcceptance(db.Model):  # type: ignore[name-defined,misc]
    """A person accepted a version of the course's group agreement, at a time."""

    __tablename__ = "grouping_acceptance"
    __table_args__ = (UniqueConstraint("course_id", "person_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    accepted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GroupingRound(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """One grouping of an activity: a draft the instructor edits, then published."""

    __tablename__ = "grouping_round"
    __table_args__ = (UniqueConstraint("activity_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    #: The activity's course, so history across a course's activities is one query.
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses_course.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, … within the activity.
    number: Mapped[int] = mapped_column(Integer)
    #: ``draft`` or ``published``.
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    #: The MatchOptions used (as a dict), so a round can be explained and re-run.
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Seed of the engine's random.Random: the same inputs and seed give the same groups.
    seed: Mapped[int] = mapped_column(Integer, default=0)
    worst: Mapped[float] = mapped_column(Float, default=0.0)
    mean: Mapped[float] = mapped_column(Float, default=0.0)
    #: Pairs who already shared a group in an earlier round.
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    #: The engine's notes (leftover rule, …) and our own (late joiners added).
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )

    groups: Mapped[list[GroupingGroup]] = relationship(
        back_populates="round", order_by="GroupingGroup.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT


class GroupingGroup(PublicIdMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "grouping_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("grouping_round.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, … ("Group 1") within the round.
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    #: Sentences a person can read: why these people are together.
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Hard-constraint violations after the instructor moved people (empty when fine).
    violations: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Kept as it is when the instructor forms groups again.
    locked: Mapped[bool] = mapped_column(Boolean, default=False)

    round: Mapped[GroupingRound] = relationship(back_populates="groups")
    members: Mapped[list[GroupingMember]] = relationship(
        back_populates="group", order_by="GroupingMember.id", cascade="all, delete-orphan"
    )


class GroupingMember(db.Model):  # type: ignore[name-defined,misc]
    """A person in a group. ``(round_id, person_id)`` is unique: one group per round."""

    __tablename__ = "grouping_member"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("grouping_round.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(
        ForeignKey("grouping_group.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    #: Added to a published round after it was published (a late joiner).
    added_late: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    group: Mapped[GroupingGroup] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()
