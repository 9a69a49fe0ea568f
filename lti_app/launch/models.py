"""Short-lived launch records kept server-side (when Redis is not configured)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lti_app.extensions import db


class LaunchRecord(db.Model):  # type: ignore[name-defined,misc]
    """A single-use value: OIDC login state + nonce, a pending platform-storage launch,
    a deep-linking request. Taken (read and deleted) atomically, at most once."""

    __tablename__ = "launch_record"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
