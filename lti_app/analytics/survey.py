"""The feedback survey at an activity's end: what I valued, what I will change,
ideas for next sessions, and 0–10 satisfaction (with relevance and confidence)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from lti_app.analytics.checks import CheckError, setup_of
from lti_app.analytics.models import AnalyticsFeedback
from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db

log = logging.getLogger(__name__)
MAX_TEXT = 4000


def _rating(
    form: Mapping[str, str], name: str, low: int, high: int, *, required: bool
) -> int | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        if required:
            raise CheckError("Please give a satisfaction rating from 0 to 10.")
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise CheckError(f"{name.capitalize()} must be a whole number.") from exc
    if not low <= value <= high:
        raise CheckError(f"{name.capitalize()} must be between {low} and {high}.")
    return value


def save_feedback(activity: Any, person: Person, form: Mapping[str, str]) -> AnalyticsFeedback:
    """Keep (or update) a learner's survey; open once the activity's end is open."""
    setup = setup_of(activity)
    if setup is None or not setup.post_open:
        raise CheckError("The feedback survey opens at the end of the activity.", 409)
    satisfaction = _rating(form, "satisfaction", 0, 10, required=True)
    assert satisfaction is not None
    values = dict(
        valued=(form.get("valued") or "").strip()[:MAX_TEXT],
        will_change=(form.get("will_change") or "").strip()[:MAX_TEXT],
        ideas=(form.get("ideas") or "").strip()[:MAX_TEXT],
        satisfaction=satisfaction,
        relevance=_rating(form, "relevance", 1, 5, required=False),
        confidence=_rating(form, "confidence", 1, 5, required=False),
        submitted_at=utcnow(),
    )
    row = db.session.scalar(
        select(AnalyticsFeedback).where(
            AnalyticsFeedback.activity_id == activity.id, AnalyticsFeedback.person_id == person.id
        )
    )
    if row is None:
        row = AnalyticsFeedback(activity_id=activity.id, person_id=person.id, **values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    db.session.flush()
    log.info("analytics: feedback of %s on %s", person.public_id, activity.public_id)
    return row
