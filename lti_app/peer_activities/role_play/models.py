"""Role-play rows: scenarios with a card per role, the observer checklist, each
group's rounds with everyone's seat, ratings/feedback, and completions.

Every row hangs off an activity (already scoped to its platform, deployment and
course) or off a grouping group of that activity.
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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_app import clock
from lti_app.courses.models import Person
from lti_app.db import PublicIdMixin, TimestampMixin
from lti_app.extensions import db

# Round statuses, in order.
READY = "ready"
IN_PROGRESS = "in_progress"
FEEDBACK_DUE = "feedback_due"
DONE = "done"
STATUSES = (READY, IN_PROGRESS, FEEDBACK_DUE, DONE)

# Kinds of rating.
OBSERVER_RATING = "observer"
SELF_RATING = "self"


class RolePlayScenario(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A scenario with one card per role. Cards are nh3-sanitised HTML (see
    ``peer_activities.rich_text``); round k plays scenario (k - 1) mod count, by position."""

    __tablename__ = "role_play_scenario"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(255))
    #: Goal and skills to practise (sanitised HTML).
    practitioner_card: Mapped[str] = mapped_column(Text, default="")
    #: Background, what they want, how to react (sanitised HTML).
    client_card: Mapped[str] = mapped_column(Text, default="")
    #: What to watch for (sanitised HTML).
    observer_card: Mapped[str] = mapped_column(Text, default="")


class RolePlayChecklistItem(PublicIdMixin, db.Model):  # type: ignore[name-defined,misc]
    """One observable behaviour, tied to a skill, rated on the 1–4 scale."""

    __tablename__ = "role_play_checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    skill: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(String(255))


class RolePlayRound(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """Round ``number`` of one group of the activity's published grouping round."""

    __tablename__ = "role_play_round"
    __table_args__ = (
        UniqueConstraint("group_id", "number"),
        CheckConstraint(
            "status IN ('ready', 'in_progress', 'feedback_due', 'done')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("grouping_group.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    #: ready → in_progress → feedback_due → done.
    status: Mapped[str] = mapped_column(String(16), default=READY)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Set when staff moved the round on (it was stuck).
    advanced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )
    #: The shared round clock: when a member started it (product time, naive UTC) and
    #: for how long; every member's page counts down from these. None: not running.
    clock_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    clock_seconds: Mapped[int | None] = mapped_column(Integer)

    seats: Mapped[list[RolePlaySeat]] = relationship(
        back_populates="round", order_by="RolePlaySeat.id", cascade="all, delete-orphan"
    )
    #: The round's group's meeting place and proposed times (read along with the
    #: rounds on the learner's page, so the page costs no extra statement).
    logistics: Mapped[RolePlayLogistics | None] = relationship(
        primaryjoin="and_(RolePlayRound.activity_id == foreign(RolePlayLogistics.activity_id), "
        "RolePlayRound.group_id == foreign(RolePlayLogistics.group_id))",
        viewonly=True,
        uselist=False,
    )


class RolePlaySeat(db.Model):  # type: ignore[name-defined,misc]
    """A person's role in one round (from lti_app.domain.rotation)."""

    __tablename__ = "role_play_seat"
    __table_args__ = (
        UniqueConstraint("round_id", "person_id"),
        CheckConstraint("role IN ('practitioner', 'client', 'observer')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("role_play_round.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    #: Set when this person stands in for an absent member of the round's group
    #: (they are in another group); the absentee stays a member of this one.
    stands_in_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )

    round: Mapped[RolePlayRound] = relationship(back_populates="seats")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class RolePlayRating(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A checklist filled in for a round's practitioner: by a feedback giver
    (``observer``, with written feedback) or by the practitioner (``self``)."""

    __tablename__ = "role_play_rating"
    __table_args__ = (
        UniqueConstraint("round_id", "author_id", "kind"),
        CheckConstraint("kind IN ('observer', 'self')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("role_play_round.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    #: Checklist item public id → rating 1..4.
    ratings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Written feedback for the practitioner (sanitised HTML); empty for self-ratings.
    feedback: Mapped[str] = mapped_column(Text, default="")

    author: Mapped[Person] = relationship()


class RolePlayCompletion(db.Model):  # type: ignore[name-defined,misc]
    """A learner met the activity's completion rule; the score was queued once."""

    __tablename__ = "role_play_completion"
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    completed_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)


# -- logistics: where and when a group meets -----------------------------------------


class RolePlayLogistics(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """Where and when one group meets: the meeting place (a link, http/https only, or
    free text such as a room) and the times members proposed, with who each works
    for. One row per group, read in one statement with the activity page; writers
    lock it (``SELECT … FOR UPDATE``) so two members marking times never lose one."""

    __tablename__ = "role_play_logistics"
    __table_args__ = (UniqueConstraint("activity_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("grouping_group.id", ondelete="CASCADE"))
    #: The link or the text, as typed (trimmed); shown escaped, linked only when ``is_link``.
    place: Mapped[str] = mapped_column(String(500), default="")
    is_link: Mapped[bool] = mapped_column(Boolean, default=False)
    place_set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )
    #: Proposed times: ``[{"id": opaque, "at": "YYYY-MM-DDTHH:MM" (UTC), "by": person id,
    #: "works": [person ids]}]``, in time order.
    slots: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
