"""The xAPI outbox table: statements waiting for (or done with) the Learning
Record Store. Analytics fills it; ``lrs.outbox`` delivers it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lti_app.db import TimestampMixin, utcnow
from lti_app.extensions import db

# Outbox statuses.
XAPI_PENDING = "pending"
XAPI_SENT = "sent"
XAPI_FAILED = "failed"


class AnalyticsStatement(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """The xAPI outbox: one statement for the Learning Record Store, with how its
    delivery is going. ``statement_id`` is derived from the source row, so queueing
    the same event twice is a no-op and the LRS sees a resend as the same statement."""

    __tablename__ = "analytics_statement"
    __table_args__ = (Index("ix_analytics_statement_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="CASCADE"), index=True
    )
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    verb: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=XAPI_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: A worker owns the row while its lease lasts (no statement is sent twice at once).
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
