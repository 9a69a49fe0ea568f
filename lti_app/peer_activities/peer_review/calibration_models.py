"""Calibration and self-assessment rows (issue 20, rows 1 and 2): the instructor's
example submissions with their reference assessment, each learner's calibration
tries, and authors' self-assessments. Imported with every other model module
(``lti_app.app_setup._models``).

Like every peer-review row they hang off an activity, already scoped to its
platform, deployment and course. Examples are not submissions: they are never in
the allocation pool, never graded, and have no author among the learners.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_app.db import PublicIdMixin, TimestampMixin, utcnow
from lti_app.extensions import db


class PeerReviewExample(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An example submission with the instructor's reference assessment."""

    __tablename__ = "peer_review_example"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    #: The example's text, nh3-sanitised HTML.
    body: Mapped[str] = mapped_column(Text, default="")
    #: Criterion public id -> the reference points.
    reference: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Why the reference scored it so (nh3-sanitised), shown after a try.
    reference_comment: Mapped[str] = mapped_column(Text, default="")


class PeerReviewCalibration(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """One learner's assessment of one example in one try (tries count from 1)."""

    __tablename__ = "peer_review_calibration"
    __table_args__ = (UniqueConstraint("example_id", "person_id", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    example_id: Mapped[int] = mapped_column(
        ForeignKey("peer_review_example.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    #: Criterion public id -> the learner's points.
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: This example's agreement with the reference, 0..1, when it was saved.
    agreement: Mapped[float] = mapped_column(Float)


class PeerReviewSelfAssessment(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An author's rating of their own work, with the rubric (one per person)."""

    __tablename__ = "peer_review_self_assessment"
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("peer_review_submission.id", ondelete="CASCADE")
    )
    #: Criterion public id -> points.
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Weighted rubric total.
    total: Mapped[float] = mapped_column(Float)
    #: What the author would do next (nh3-sanitised HTML; optional).
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
