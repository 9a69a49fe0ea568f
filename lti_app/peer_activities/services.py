"""Create activities (deep linking) and find the activity behind a resource launch.

Side effects: inserts/updates rows and flushes; the request commits.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Course
from lti_app.extensions import db
from lti_app.lms.models import Deployment, Registration
from lti_app.peer_activities import registry, settings_form
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.settings_form import ActivityInputError as ActivityInputError

log = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
#: Custom parameter carrying our activity id in deep-linked resource links.
CUSTOM_KEY = "peerlift_activity"


def clean_settings(type_key: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Settings validated by the type's schema (defaults for what is absent)."""
    kind = registry.get(type_key)
    if kind is None:
        raise ActivityInputError({"activity_type": ["Choose one of the four activity types."]})
    return settings_form.load(kind, raw)


def settings_from_form(type_key: str, form: Any) -> dict[str, Any]:
    """The settings fields of one activity type, named ``<type>.<field>`` in forms."""
    kind = registry.get(type_key)
    if kind is None:
        return {}
    return settings_form.raw_from_form(kind, form, prefix=type_key + ".")


def create_activity(
    reg: Registration,
    dep: Deployment,
    course: Course | None,
    *,
    activity_type: str,
    title: str,
    description: str,
    settings: dict[str, Any],
) -> Activity:
    activity = Activity(
        registration_id=reg.id,
        deployment_id=dep.id,
        course_id=course.id if course else None,
        activity_type=activity_type,
        title=title,
        description=description,
        settings=clean_settings(activity_type, settings),
    )
    db.session.add(activity)
    db.session.flush()
    log.info("activity %s created (%s) by deep linking", activity.public_id, activity_type)
    return activity


def configure_activity(
    activity: Activity,
    *,
    activity_type: str,
    title: str,
    description: str,
    settings: dict[str, Any],
) -> Activity:
    """Set up an activity that was launched before it had a type (a plain link)."""
    activity.settings = clean_settings(activity_type, settings)
    activity.activity_type = activity_type
    activity.title = title
    activity.description = description
    db.session.flush()
    return activity


def _by_link(dep: Deployment, link_id: str) -> Activity | None:
    return db.session.scalar(
        select(Activity).where(
            Activity.deployment_id == dep.id, Activity.resource_link_id == link_id
        )
    )


def resolve_activity(
    reg: Registration,
    dep: Deployment,
    course: Course | None,
    claims: dict[str, Any],
    known: Activity | None = None,
) -> Activity:
    """The activity behind a resource-link launch, creating or binding it as needed.

    * known (deployment, resource_link.id) → that activity;
    * custom ``peerlift_activity`` naming an unbound activity of this registration
      (fresh from deep linking) → bind it to this link;
    * the same custom id but already bound to another link (the LMS copied the
      course or the link) → a copy of its settings bound to this link;
    * anything else → a new, not yet configured activity.
    """
    link = claims[CLAIM + "resource_link"]
    link_id: str = link["id"]
    activity = known or _by_link(dep, link_id)
    if activity is None:
        custom = claims.get(CLAIM + "custom")
        source_id = custom.get(CUSTOM_KEY) if isinstance(custom, dict) else None
        source = None
        if isinstance(source_id, str):
            source = db.session.scalar(
                select(Activity).where(
                    Activity.public_id == source_id, Activity.registration_id == reg.id
                )
            )
        if source is not None and source.resource_link_id is None:
            activity = source
            activity.deployment_id = dep.id
        else:
            activity = Activity(registration_id=reg.id, deployment_id=dep.id)
            if source is not None:
                activity.activity_type = source.activity_type
                activity.title = source.title
                activity.description = source.description
                activity.settings = dict(source.settings)
            else:
                title = link.get("title")
                activity.title = title[:255] if isinstance(title, str) else ""
            db.session.add(activity)
        activity.resource_link_id = link_id
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            # A concurrent first launch of the same link bound it first.
            db.session.expire_all()
            existing = _by_link(dep, link_id)
            if existing is None:
                raise
            activity = existing
    if course is not None and activity.course_id is None:
        activity.course_id = course.id
    ags = claims.get(AGS_CLAIM)
    lineitem = ags.get("lineitem") if isinstance(ags, dict) else None
    if isinstance(lineitem, str) and activity.lineitem_url != lineitem[:1024]:
        activity.lineitem_url = lineitem[:1024]
    return activity


@functools.cache
def _activity_stmt() -> Select[Activity]:
    return select(Activity).where(
        Activity.public_id == bindparam("pid"),
        Activity.registration_id == bindparam("reg"),
        Activity.deployment_id == bindparam("dep"),
    )


def get_activity(reg_id: int, dep_id: int, public_id: str) -> Activity | None:
    """Tenant-scoped lookup: another platform's activity id gives None."""
    found: Activity | None = db.session.scalar(
        _activity_stmt(), {"pid": public_id, "reg": reg_id, "dep": dep_id}
    )
    return found
