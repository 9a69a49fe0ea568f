"""Peer-review rows: the rubric's criteria, submissions (and their members when
a group submits together), reviews (with their lease, per-criterion comments and
the author's helpfulness rating), grade overrides, each learner's progress
(completion, "move on"), and the rubric library.

Every activity row hangs off an activity, which is already scoped to its
platform, deployment and course; a library rubric carries its registration and
deployment itself. A review copies its submission's author so the database itself
can refuse a self-review (``ck_peer_review_review_not_self``); group-mates are
kept off their group's submission by the allocator (``submissions.coauthors``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
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

# Review statuses.
LEASED = "leased"
DONE = "done"

# Grade kinds an instructor can override.
SUBMISSION_GRADE = "submission"
REVIEWING_GRADE = "reviewing"


class PeerReviewCriterion(PublicIdMixin, db.Model):  # type: ignore[name-defined,misc]
    """One rubric criterion: points 0..max_points, with level descriptors."""

    __tablename__ = "peer_review_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(120))
    #: What each level looks like (plain text, one level per line, low to high;
    #: a line may start with its points, "3 | Clear": see ``rubrics.levels_of``).
    levels: Mapped[str] = mapped_column(Text, default="")
    max_points: Mapped[int] = mapped_column(Integer, default=4)
    #: Reviewers must explain their score on this criterion in a comment.
    comment_required: Mapped[bool] = mapped_column(Boolean, default=False)


class PeerReviewSubmission(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A learner's work for the activity: sanitised rich text and/or a link."""

    __tablename__ = "peer_review_submission"
    __table_args__ = (UniqueConstraint("activity_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    #: nh3-sanitised HTML (see ``text``); only this may be rendered unescaped.
    body: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str | None] = mapped_column(String(1024))
    #: An attached file: random storage key (see ``uploads``), sanitised name, size.
    file_key: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: The revised version handed in after feedback (sanitised HTML), if allowed.
    revision: Mapped[str] = mapped_column(Text, default="")
    revised_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: When staff offered it to volunteers because it was short of reviews.
    volunteers_offered_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: When staff accepted fewer than k reviews for it (its grade is then computed
    #: on the reviews it has, and flagged), and who did.
    fewer_accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    fewer_accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )

    author: Mapped[Person] = relationship(foreign_keys=[author_id])


class PeerReviewSubmissionMember(db.Model):  # type: ignore[name-defined,misc]
    """A member of a group submission (the submitter included). ``(activity_id,
    person_id)`` is unique: a person belongs to one submission of an activity.
    Individual submissions have no member rows (their author is the one member)."""

    __tablename__ = "peer_review_submission_member"
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("peer_review_submission.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )

    person: Mapped[Person] = relationship()


class PeerReviewReview(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """One reviewer's review of one submission. Created leased when the reviewer
    opens "next review"; a lease past ``lease_until`` no longer counts as in
    progress, so the submission goes back to the pool."""

    __tablename__ = "peer_review_review"
    __table_args__ = (
        UniqueConstraint("submission_id", "reviewer_id"),
        CheckConstraint("reviewer_id <> author_id", name="not_self"),
        CheckConstraint("status IN ('leased', 'done')", name="status"),
        CheckConstraint("helpfulness IS NULL OR (helpfulness BETWEEN 1 AND 5)", name="helpfulness"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("peer_review_submission.id", ondelete="CASCADE")
    )
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    #: The submission's author, copied so a CHECK can forbid self-review.
    author_id: Mapped[int] = mapped_column(ForeignKey("courses_person.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=LEASED)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    #: Criterion public id -> points given.
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Weighted rubric total (the rating the grades are computed from).
    total: Mapped[float | None] = mapped_column(Float)
    #: Overall comment, nh3-sanitised HTML.
    comment: Mapped[str] = mapped_column(Text, default="")
    #: Criterion public id -> the reviewer's comment on it (nh3-sanitised HTML);
    #: criteria left without a comment are absent.
    criterion_comments: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The author's rating of this review, 1–5, and why.
    helpfulness: Mapped[int | None] = mapped_column(Integer)
    helpfulness_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Comments on passages of the work's text (see ``passage_comments``):
    #: ``[{"start", "end", "comment", "quote"}]``, offsets into the plain text of
    #: the sanitised body (``lti_app.domain.passages``), sorted, never overlapping;
    #: comments are plain text (escaped when shown).
    passage_comments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    submission: Mapped[PeerReviewSubmission] = relationship()
    reviewer: Mapped[Person] = relationship(foreign_keys=[reviewer_id])


class PeerReviewOverride(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An instructor's grade for a learner, replacing the computed one, with why."""

    __tablename__ = "peer_review_override"
    __table_args__ = (
        UniqueConstraint("activity_id", "person_id", "kind"),
        CheckConstraint("kind IN ('submission', 'reviewing')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    #: The grade as a percentage, 0..100.
    percent: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("courses_person.id", ondelete="SET NULL"))


class PeerReviewProgress(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A learner's standing: when they completed (their completion score was queued
    then, once) and whether an instructor moved them on."""

    __tablename__ = "peer_review_progress"
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities_activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("courses_person.id", ondelete="CASCADE"), index=True
    )
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    moved_on_at: Mapped[datetime | None] = mapped_column(DateTime)
    moved_on_reason: Mapped[str] = mapped_column(Text, default="")


class PeerReviewLibraryRubric(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A rubric saved for reuse across the activities of one platform deployment
    (never visible to another registration or deployment). Names are unique per
    deployment: saving under an existing name replaces that rubric."""

    __tablename__ = "peer_review_library_rubric"
    __table_args__ = (UniqueConstraint("deployment_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[int] = mapped_column(ForeignKey("lms_deployment.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    #: The criteria in order: ``[{"name", "max_points", "levels", "comment_required"}]``.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_person.id", ondelete="SET NULL")
    )
