"""Declarative base, shared column mixins, and the request-boundary commit.

Services flush; only the boundary (end of a request, end of a CLI command or a
worker task) commits. A response with status >= 400 is rolled back, so a rejected
launch or a failed form writes nothing.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_public_id() -> str:
    """Opaque id for URLs: never expose integer primary keys."""
    return secrets.token_urlsafe(12)


#: LTI ids (issuer, client_id, deployment_id, context.id, sub, …) are at most 255
#: ASCII characters and case-sensitive. PostgreSQL and SQLite compare text
#: byte-wise by default, which is what we need; never add a case-folding collation.
LtiId = String(255)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class PublicIdMixin:
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
