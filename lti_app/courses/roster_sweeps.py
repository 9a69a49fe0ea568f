"""Roster sync's recovery sweeps (registered in ``lti_app.courses.init_app``): a sync
whose worker died is marked failed once its lease expires, and a course whose first
sync failed or never ran is asked for again, backing off with the course's age.
The sync itself is in ``roster``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from lti_app import jobs
from lti_app.courses.models import Course
from lti_app.courses.roster import FAILED, RUNNING, SYNC
from lti_app.db import utcnow
from lti_app.extensions import db

log = logging.getLogger(__name__)


def sweep_stuck_syncs() -> None:
    """A sync whose worker died keeps its lease until it expires; then it is
    marked failed so the instructor sees it and can run it again."""
    now = utcnow()
    db.session.execute(
        update(Course)
        .where(and_(Course.roster_sync_status == RUNNING, Course.roster_sync_lease_until < now))
        .values(
            roster_sync_status=FAILED,
            roster_sync_lease_until=None,
            roster_sync_error="The last roster sync stopped before it finished; run it again.",
        )
        .execution_options(synchronize_session=False)
    )


#: At most this many never-synced courses are asked for per sweep.
SWEEP_UNSYNCED_LIMIT = 20


def _retry_interval(created_at: datetime, now: datetime) -> timedelta:
    """How long after a failed first sync to try again: ROSTER_RETRY_S for a new
    course, growing with the course's age (a quarter of it) up to an hour, so a
    platform that keeps refusing is asked a few times an hour, not every sweep."""
    floor = float(current_app.config["ROSTER_RETRY_S"])
    return timedelta(seconds=min(3600.0, max(floor, (now - created_at).total_seconds() / 4)))


def unsynced_courses(now: datetime | None = None) -> list[int]:
    """Courses with a roster service whose roster was never read: the first sync
    failed, or its job never ran. Each becomes due again ``_retry_interval`` after
    its last attempt (``updated_at`` moves with every attempt's outcome)."""
    now = now or utcnow()
    floor = timedelta(seconds=float(current_app.config["ROSTER_RETRY_S"]))
    rows = db.session.execute(
        select(Course.id, Course.created_at, Course.updated_at)
        .where(
            Course.nrps_url.is_not(None),
            Course.roster_synced_at.is_(None),
            or_(Course.roster_sync_status.is_(None), Course.roster_sync_status == FAILED),
            or_(Course.roster_sync_lease_until.is_(None), Course.roster_sync_lease_until < now),
            Course.updated_at < now - floor,
        )
        .order_by(Course.updated_at)
        .limit(SWEEP_UNSYNCED_LIMIT * 5)
    ).all()
    due = [cid for cid, created, updated in rows if updated < now - _retry_interval(created, now)]
    return due[:SWEEP_UNSYNCED_LIMIT]


def sweep_unsynced_rosters() -> None:
    """A course whose first roster sync failed or never ran is synced again."""
    for course_id in unsynced_courses():
        log.info("roster: course %s has never been synced; asking again", course_id)
        jobs.enqueue(SYNC, course_id=course_id)
