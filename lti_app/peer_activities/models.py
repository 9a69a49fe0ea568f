"""An activity placed in a course: one LTI resource link."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_app.db import LtiId, PublicIdMixin, TimestampMixin
from lti_app.extensions import db


class Activity(PublicIdMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A peer activity. Created by deep linking (unbound) and bound to the LTI
    resource link on its first launch; ``resource_link.id`` is only unique within
    its deployment and changes when the LMS copies the link."""

    __tablename__ = "activities_activity"
    __table_args__ = (UniqueConstraint("deployment_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lms_registration.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[int] = mapped_column(ForeignKey("lms_deployment.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses_course.id", ondelete="CASCADE"), index=True
    )
    resource_link_id: Mapped[str | None] = mapped_column(LtiId)
    #: Key in lti_app.peer_activities.registry; None until an instructor sets it up.
    activity_type: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The coupled AGS line item (completion), as sent in the latest launch.
    lineitem_url: Mapped[str | None] = mapped_column(String(1024))
