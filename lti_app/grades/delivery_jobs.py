"""When grade delivery runs: the worker task that drains the outbox and asks for
help when the backlog is big, the delayed job for scores backing off, and the sweep
that re-queues anything due (a lost message never loses a grade)."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import case, exists, func, select

from lti_app import jobs
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.grades.delivery import drain, is_due
from lti_app.grades.models import PENDING, Score
from lti_app.grades.services import DELIVER

log = logging.getLogger(__name__)

#: Retries due within this many seconds get a delayed job; later ones, the sweep.
SOON_S = 60.0


def next_retry_in() -> float | None:
    """Seconds until the next waiting score is due (None: nothing is waiting)."""
    # A score leased to a worker (maybe one that died) is due when its lease ends,
    # not before: asking again sooner would only spin.
    due_at = case(
        (Score.lease_until > Score.next_attempt_at, Score.lease_until), else_=Score.next_attempt_at
    )
    soonest: datetime | None = db.session.scalar(
        select(func.min(due_at)).where(Score.status == PENDING)
    )
    if soonest is None:
        return None
    return max(0.0, (soonest - utcnow()).total_seconds())


def any_due() -> bool:
    return bool(db.session.scalar(select(exists().where(is_due(utcnow())))))


def backlog_exceeds(n: int) -> bool:
    """More than ``n`` scores are due now (one bounded query)."""
    due = select(Score.id).where(is_due(utcnow())).limit(n + 1).subquery()
    return int(db.session.scalar(select(func.count()).select_from(due)) or 0) > n


def deliver_job() -> None:
    """The worker task: drain the outbox for a while, then hand over to a fresh task.

    With more than a batch due, a second copy is asked for first (collapsed if
    one waits already), so every idle worker joins in; claims never overlap."""
    if backlog_exceeds(int(current_app.config["GRADES_BATCH"])):
        jobs.enqueue(DELIVER)
    db.session.commit()
    report, more = drain()
    if report.claimed:
        log.info(
            "grades: delivered %d (%d already in the LMS), retrying %d, failed %d "
            "(%d token requests)",
            report.sent,
            report.superseded,
            report.retrying,
            report.failed,
            report.token_requests,
        )
    if more:
        jobs.enqueue(DELIVER)
        return
    soonest = next_retry_in()
    if soonest is not None and soonest <= SOON_S:
        # Scores backing off retry on time, without waiting for the next sweep.
        jobs.enqueue_later(DELIVER, soonest)


def sweep_due_scores() -> None:
    """A lost message never loses a grade: anything due gets a delivery job."""
    if any_due():
        jobs.enqueue(DELIVER)
