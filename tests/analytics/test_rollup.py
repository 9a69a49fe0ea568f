"""The activity rollups behind weekly-active and survival: folded once per event,
idempotent, and the same numbers as the events they come from."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from lti_app.analytics import rollup
from lti_app.analytics.models import AnalyticsPersonSpan, AnalyticsPersonWeek, AnalyticsResponse
from lti_app.extensions import db
from tests.analytics.support import ANA, BEN, CHLOE


def _weekly(an) -> dict[str, int]:
    body = an.client.get(
        "/an/course/export/weekly.csv", query_string={"t": an.staff.token}
    ).get_data(as_text=True)
    return {
        r["week_starting"]: int(r["active_learners"]) for r in csv.DictReader(io.StringIO(body))
    }


def test_weekly_active_learners_come_from_the_rollup_once_per_person_and_week(an, app):
    an.setup()
    an.add_knowledge(2)
    for user in (ANA, BEN, CHLOE):
        assert an.check(user, "pre", 1).status_code == 303
    monday = rollup.week_of(datetime.utcnow())
    earlier = datetime.combine(monday - timedelta(days=14), datetime.min.time()) + timedelta(
        hours=9
    )
    with app.app_context():  # Ana took hers two weeks ago
        db.session.execute(
            update(AnalyticsResponse)
            .where(
                AnalyticsResponse.id == db.session.scalar(select(func.min(AnalyticsResponse.id)))
            )
            .values(submitted_at=earlier)
        )
        db.session.commit()
    an.open_post()
    assert an.check(ANA, "post", 2).status_code == 303  # Ana again, this week
    expected = {
        f"{monday - timedelta(days=14):%Y-%m-%d}": 1,
        f"{monday - timedelta(days=7):%Y-%m-%d}": 0,
        f"{monday:%Y-%m-%d}": 3,
    }
    assert _weekly(an) == expected
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AnalyticsPersonWeek))
        rollup.refresh()
        rollup.refresh(batch=1)  # re-reading (overlap, small batches) changes nothing
        db.session.commit()
        assert (
            db.session.scalar(select(func.count()).select_from(AnalyticsPersonWeek)) == before == 4
        )
        span = db.session.execute(
            select(AnalyticsPersonSpan.first_at, AnalyticsPersonSpan.last_at).order_by(
                AnalyticsPersonSpan.first_at
            )
        ).first()
        assert span is not None and span[0] == earlier and span[1] > earlier
    assert _weekly(an) == expected
