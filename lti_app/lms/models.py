"""Platform registry: registrations, deployments, tool keys, registration invites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_app.db import LtiId, PublicIdMixin, TimestampMixin, utcnow
from lti_app.extensions import db

ACTIVE = "active"
PENDING = "pending"
DISABLED = "disabled"


class Registration(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """One tool registration on one platform: the tenant.

    Every hosted Canvas shares one issuer, so the key is (issuer, client_id).
    """

    __tablename__ = "lms_registration"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    issuer: Mapped[str] = mapped_column(LtiId)
    client_id: Mapped[str] = mapped_column(LtiId)
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    #: ``aud`` of our client assertion when the platform wants something other
    #: than the token URL (Canvas: the account domain's token URL).
    auth_audience: Mapped[str | None] = mapped_column(String(1024))
    jwks_url: Mapped[str] = mapped_column(String(1024))
    #: ``active``, or ``pending`` (dynamic registration awaiting an admin), or ``disabled``.
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    #: ``moodle``, ``canvas``, … as the platform told us at dynamic registration.
    product_family: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Origins this platform frames the tool from, learned at launches (the launch
    #: POST's ``Origin``, its return URLs); with the issuer's and login URL's
    #: origins they make the CSP ``frame-ancestors`` (see ``lms/frame_origins``).
    frame_origins: Mapped[list[str] | None] = mapped_column(JSON)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


class Deployment(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A deployment of a registration (Moodle: the tool type; Canvas: one install)."""

    __tablename__ = "lms_deployment"
    __table_args__ = (UniqueConstraint("registration_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[str] = mapped_column(LtiId)
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)

    registration: Mapped[Registration] = relationship(back_populates="deployments")

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


class ToolKey(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An RSA key pair the tool signs with (deep-linking responses, service assertions).

    Published in the JWKS from ``created_at`` until ``retires_at``; used for
    signing from ``activates_at``. Rotation publishes the new key before it signs
    and keeps the old one published for an overlap period.
    """

    __tablename__ = "lms_tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    #: The public JWK as JSON (kty, n, e, kid, alg, use).
    public_jwk: Mapped[str] = mapped_column(Text)
    activates_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    retires_at: Mapped[datetime | None] = mapped_column(DateTime)


class RegistrationInvite(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A one-time link an administrator hands to a platform admin for Dynamic Registration."""

    __tablename__ = "lms_registration_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(255), default="")
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="SET NULL")
    )
