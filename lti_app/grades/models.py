"""Line items (gradebook columns) and the score outbox that feeds them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_app.courses.models import Course, Person
from lti_app.db import LtiId, PublicIdMixin, TimestampMixin, utcnow
from lti_app.extensions import db

COMPLETION = "completion"
LEARNING_GAIN = "learning_gain"
#: Post-test mastery (learning measurement).
MASTERY = "mastery"
#: Peer assessment: the grade of the learner's submission, and of their reviewing.
SUBMISSION = "submission"
REVIEWING = "reviewing"
KINDS = (COMPLETION, LEARNING_GAIN, MASTERY, SUBMISSION, REVIEWING)

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


class LineItem(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A gradebook column an activity owns: ``completion`` (declared through deep
    linking, or the link's coupled line item), or one created through AGS, tagged
    and bound to the resource link: ``learning_gain``, ``mastery``, ``submission``
    or ``reviewing``."""

    __tablename__ = "grades_lineitem"
    __table_args__ = (UniqueConstraint("activity_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses_course.id", ondelete="CASCADE"), index=True
    )
    #: The owning activity (a table of a feature above this one; referenced by name).
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(255))
    score_maximum: Mapped[float] = mapped_column(Float, default=100.0)
    #: ``tag`` we give the line item on the platform, to find it again.
    tag: Mapped[str] = mapped_column(String(64))
    resource_link_id: Mapped[str | None] = mapped_column(LtiId)
    #: The platform's line item URL; None until found or created there.
    url: Mapped[str | None] = mapped_column(String(1024))
    #: Why the line item could not be found or created, for the Grades panel.
    last_error: Mapped[str | None] = mapped_column(Text)

    course: Mapped[Course] = relationship()


class Score(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """The outbox: the newest score of one person on one line item, and how its
    delivery is going.

    Recording a score bumps ``version`` in the same transaction as the change that
    produced it; delivery sends the row's current content and records the version
    it sent, so a score changed while in flight is sent again, and only the newest
    of several quick changes is ever sent. A worker owns a row while its lease
    (``lease_owner``/``lease_until``) lasts, so several workers never send one row
    twice at once.
    """

    __tablename__ = "grades_score"
    __table_args__ = (
        UniqueConstraint("line_item_id", "person_id"),
        Index("ix_grades_score_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="CASCADE"), index=True
    )
    line_item_id: Mapped[int] = mapped_column(ForeignKey("grades_lineitem.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    score_given: Mapped[float | None] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    #: Always sent: an omitted comment clears the one in the LMS.
    comment: Mapped[str] = mapped_column(Text, default="")
    activity_progress: Mapped[str] = mapped_column(String(16))
    grading_progress: Mapped[str] = mapped_column(String(16))
    #: The score's AGS timestamp (UTC): strictly increasing per row, at least one
    #: second apart (Moodle compares whole seconds), kept as is across retries.
    timestamp: Mapped[datetime] = mapped_column(DateTime)
    #: The timestamp of the newest version the LMS may have recorded (sent, or
    #: attempted without a clear refusal); the next version must be newer than it.
    sent_timestamp: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    delivered_version: Mapped[int] = mapped_column(Integer, default=0)
    #: ``pending`` (waiting or retrying), ``sent``, or ``failed`` (the LMS refused it
    #: for a reason retrying cannot fix; an instructor may retry after fixing it).
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: When the current run of failed attempts began (gives up after a while).
    failing_since: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None] = mapped_column(Integer)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    line_item: Mapped[LineItem] = relationship()
    person: Mapped[Person] = relationship()


#: States of a "Send grades" run.
QUEUED, RUNNING, DONE = "queued", "running", "done"


class GradeSend(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """One "Send grades" request of an instructor, run in the background in batches.

    The page shows its progress; a worker that dies mid-run leaves ``cursor`` (the
    last person id done) and its lease, and the sweep starts it again from there.
    """

    __tablename__ = "grades_send"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses_course.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )
    #: The instructor confirmed sending 0 to learners who never started.
    zero_non_starters: Mapped[bool] = mapped_column(default=False)
    #: ``queued``, ``running`` or ``done``.
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    #: Learners to go through, and how many have been.
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    #: Learners whose grades went into the outbox (new or changed scores).
    queued_people: Mapped[int] = mapped_column(Integer, default=0)
    #: Learners who never started: left out, or sent 0 (``zero_non_starters``).
    non_starters: Mapped[int] = mapped_column(Integer, default=0)
    #: Learners who started but have no grade yet (for example, no reviews received).
    no_grade_yet: Mapped[int] = mapped_column(Integer, default=0)
    #: The last person id done (people are taken in id order).
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)
