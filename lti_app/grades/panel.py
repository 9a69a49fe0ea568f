"""What the instructor's Grades panel shows (each score: sent, waiting with the
next try, failed with the reason) and its "Retry" (re-queue what did not reach the
LMS, never what it already holds)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update

from lti_app import jobs
from lti_app.courses.models import Course, Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.grades.models import FAILED, PENDING, SENT, LineItem, Score
from lti_app.grades.services import DELIVER, LABELS, MIN_STEP, SUPERSEDED_STATUS

log = logging.getLogger(__name__)


@dataclass
class GradeRow:
    person: str
    line_item: str
    value: str
    status: str
    detail: str
    score_id: int


@dataclass
class GradesSummary:
    counts: dict[str, int] = field(default_factory=lambda: {PENDING: 0, SENT: 0, FAILED: 0})
    rows: list[GradeRow] = field(default_factory=list)
    line_items: list[LineItem] = field(default_factory=list)
    total_rows: int = 0


def _fmt(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else ""


def _detail(score: Score, now: datetime) -> str:
    if score.status == SENT and score.last_status == SUPERSEDED_STATUS:
        return (
            f"Already in the LMS {_fmt(score.sent_at)}: it holds this score or a newer "
            "one (for example, changed by hand in the gradebook)"
        )
    if score.status == SENT:
        return f"Sent {_fmt(score.sent_at)}"
    if score.status == FAILED:
        return score.last_error or "The LMS refused this score."
    if score.attempts == 0:
        return "Waiting to be sent"
    wait = max(0, int((score.next_attempt_at - now).total_seconds()))
    return (
        f"Attempt {score.attempts} failed: {score.last_error or 'unknown error'} — "
        f"retrying in {wait} s"
    )


def summarise(activity_id: int, *, limit: int = 200) -> GradesSummary:
    """Sent / pending / failed counts for an activity's line items, failures and
    waiting scores first."""
    summary = GradesSummary()
    summary.line_items = list(
        db.session.scalars(
            select(LineItem).where(LineItem.activity_id == activity_id).order_by(LineItem.kind)
        )
    )
    ids = [li.id for li in summary.line_items]
    if not ids:
        return summary
    for status, count in db.session.execute(
        select(Score.status, func.count()).where(Score.line_item_id.in_(ids)).group_by(Score.status)
    ):
        summary.counts[status] = count
    summary.total_rows = sum(summary.counts.values())
    order = {FAILED: 0, PENDING: 1, SENT: 2}
    rows = db.session.execute(
        select(Score, Person, LineItem)
        .join(Person, Score.person_id == Person.id)
        .join(LineItem, Score.line_item_id == LineItem.id)
        .where(Score.line_item_id.in_(ids))
        .order_by(Score.status != FAILED, Score.status != PENDING, Score.updated_at.desc())
        .limit(limit)
    ).all()
    now = utcnow()
    for score, person, li in sorted(rows, key=lambda r: order.get(r[0].status, 3)):
        value = (
            "cleared"
            if score.score_given is None
            else f"{score.score_given:g} / {score.score_maximum:g}"
        )
        summary.rows.append(
            GradeRow(
                person=person.display_name,
                line_item=LABELS[li.kind],
                value=value,
                status=score.status,
                detail=_detail(score, now),
                score_id=score.id,
            )
        )
    return summary


@dataclass(frozen=True)
class RetryOutcome:
    """What "Retry now" did: scores queued again, and failed ones found already in
    the LMS (marked sent, not sent twice)."""

    queued: int
    already_delivered: int


def _already_delivered(row: Score) -> bool:
    """The LMS holds this version (it was delivered) or a newer grade (it refused
    the score as superseded: 409)."""
    return row.delivered_version >= row.version or row.last_status == SUPERSEDED_STATUS


def retry_scores(
    *, activity_id: int | None = None, course: Course | None = None, include_pending: bool = True
) -> RetryOutcome:
    """Send failed (and waiting) scores again now.

    A failed score gets a new timestamp: retrying it is a new event (the LMS may
    have refused the old one as not newer than its own grade). A failed score the
    LMS already holds (delivered, or refused as superseded) is marked sent instead:
    "Retry" never sends a delivered score twice. Side effect: a delivery job after
    commit.
    """
    now = utcnow()
    scope = select(LineItem.id)
    if activity_id is not None:
        scope = scope.where(LineItem.activity_id == activity_id)
    if course is not None:
        scope = scope.where(LineItem.course_id == course.id)
    count = already = 0
    for row in db.session.scalars(
        select(Score).where(Score.status == FAILED, Score.line_item_id.in_(scope))
    ):
        if _already_delivered(row):
            row.status, row.last_error = SENT, None
            row.delivered_version = max(row.delivered_version, row.version)
            row.sent_at = row.sent_at or now
            already += 1
            continue
        row.status, row.attempts, row.next_attempt_at = PENDING, 0, now
        row.timestamp = max(now, row.timestamp + MIN_STEP)  # the refused one counts too
        row.failing_since = None
        count += 1
    if include_pending:
        result = db.session.execute(
            update(Score)
            .where(
                Score.status == PENDING, Score.line_item_id.in_(scope), Score.next_attempt_at > now
            )
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        count += int(getattr(result, "rowcount", 0) or 0)
    if count:
        jobs.after_commit(db.session(), DELIVER)
    log.info(
        "grades: %d score(s) queued again, %d already in the LMS (activity=%s)",
        count,
        already,
        activity_id,
    )
    return RetryOutcome(count, already)
