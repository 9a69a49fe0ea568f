"""A line item on the platform: found by resource link and tag, or created (AGS).

Delivery needs the column's platform URL before it can post a score to it; this
is the one place that asks the platform for it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import select

from lti_app.courses.models import Course
from lti_app.extensions import db
from lti_app.grades.models import LineItem
from lti_app.lms import ags, runtime
from lti_app.lms.access_tokens import ServiceAuth
from lti_app.lms.models import Registration
from lti_app.lms.service_http import ServiceError

log = logging.getLogger("lti_app.grades.delivery")  # one logger for the whole delivery path


def auth_of(reg: Registration) -> ServiceAuth:
    return ServiceAuth(
        registration_id=reg.id,
        client_id=reg.client_id,
        token_url=reg.auth_token_url,
        audience=reg.auth_audience,
    )


def ensure_remote_line_item(line_item_id: int) -> str:
    """The platform URL of a line item: found by resource link and tag, or created.

    Holds the row lock while asking the platform, so two workers never create the
    same column twice. Raises ServiceError when it cannot be done.
    """
    li = db.session.scalars(
        select(LineItem)
        .where(LineItem.id == line_item_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if li.url:
        return li.url
    course = db.session.get(Course, li.course_id)
    reg = db.session.get(Registration, li.registration_id)
    assert course is not None and reg is not None
    scopes = set(course.ags_scopes or [])
    if not course.ags_lineitems_url or ags.SCOPE_LINEITEM not in scopes:
        raise ServiceError(
            "final",
            "The LMS has not let Peerlift manage grade columns in this "
            "course (AGS line items): enable grade sync for the tool, then "
            "launch the activity once as an instructor.",
        )
    auth = auth_of(reg)
    tokens = runtime.tokens()
    token_scopes = [ags.SCOPE_LINEITEM]
    last: list[str] = []

    def token(fresh: bool) -> str:
        if fresh and last:
            tokens.invalidate(auth, token_scopes, last[-1])
        last.append(tokens.get(auth, token_scopes))
        return last[-1]

    session = runtime.http_session()
    timeout = current_app.config["LTI_SERVICE_TIMEOUT_S"]
    found = ags.find_line_items(
        session,
        course.ags_lineitems_url,
        token,
        resource_link_id=li.resource_link_id,
        tag=li.tag,
        timeout=timeout,
    )
    if found:
        li.url = found[0]["id"]
    else:
        item: dict[str, Any] = {"label": li.label, "scoreMaximum": li.score_maximum, "tag": li.tag}
        if li.resource_link_id:
            item["resourceLinkId"] = li.resource_link_id
        li.url = ags.create_line_item(
            session, course.ags_lineitems_url, token, item, timeout=timeout
        )["id"]
        log.info("grades: created line item %s (%s) at %s", li.public_id, li.kind, li.url)
    li.last_error = None
    return li.url
