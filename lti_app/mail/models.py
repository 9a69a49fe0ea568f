"""The mail outbox: one row per message, kept after sending as the record of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lti_app.db import TimestampMixin
from lti_app.extensions import db

MAIL_STATUSES = ("pending", "sent", "failed")


class MailMessage(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "mail_message"
    __table_args__ = (CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Idempotency: queueing the same key again is a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
