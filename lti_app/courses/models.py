"""Courses (LTI contexts), people and enrolments, scoped to their platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_app.db import LtiId, PublicIdMixin, TimestampMixin
from lti_app.extensions import db


class Course(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An LTI context. ``context.id`` is only unique within its deployment."""

    __tablename__ = "courses_course"
    __table_args__ = (UniqueConstraint("deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[int] = mapped_column(ForeignKey("lms_deployment.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(LtiId)
    title: Mapped[str] = mapped_column(String(255), default="")
    label: Mapped[str] = mapped_column(String(255), default="")
    #: Service endpoints as last sent in a signed launch (AGS §3.1: check each message).
    nrps_url: Mapped[str | None] = mapped_column(String(1024))
    ags_lineitems_url: Mapped[str | None] = mapped_column(String(1024))
    ags_scopes: Mapped[list[str] | None] = mapped_column(JSON)
    #: Roster sync (NRPS): incremented by each complete sync; enrolments not seen
    #: in the latest one have left the course.
    roster_generation: Mapped[int] = mapped_column(Integer, default=0)
    roster_synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: ``ok``, ``running`` or ``failed`` (with ``roster_sync_error``); None: never synced.
    roster_sync_status: Mapped[str | None] = mapped_column(String(16))
    roster_sync_error: Mapped[str | None] = mapped_column(Text)
    #: Summary of the last sync, e.g. {"members": 120, "added": 3, "left": 1}.
    roster_sync_counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    #: One sync per course at a time, across processes: a lease, not a lock.
    roster_sync_lease_until: Mapped[datetime | None] = mapped_column(DateTime)


class Person(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A user of one platform registration. ``sub`` is only unique per issuer."""

    __tablename__ = "courses_person"
    __table_args__ = (UniqueConstraint("registration_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="CASCADE"), index=True
    )
    sub: Mapped[str] = mapped_column(LtiId)
    #: Name and email only when the platform shares them (privacy settings).
    name: Mapped[str | None] = mapped_column(String(255))
    given_name: Mapped[str | None] = mapped_column(String(255))
    family_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    #: Canvas Student View / preview users: never graded.
    is_test_user: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        full = " ".join(p for p in (self.given_name, self.family_name) if p)
        return full or f"Participant {self.public_id[:6]}"


class Enrolment(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "courses_enrolment"
    __table_args__ = (UniqueConstraint("course_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    #: Peerlift roles (see lti_app.domain.roles), e.g. ["instructor"].
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``active`` or ``inactive`` (left the course; their work is kept).
    status: Mapped[str] = mapped_column(String(16), default="active")
    last_launch_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The course's ``roster_generation`` when roster sync last saw this member.
    seen_generation: Mapped[int | None] = mapped_column(Integer)

    course: Mapped[Course] = relationship()
    person: Mapped[Person] = relationship()
