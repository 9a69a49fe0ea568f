""" "Send grades": an instructor sends an activity's grades to the gradebook.

The request only counts and records the run (:class:`GradeSend`), so it answers at
once whatever the course size; a background job computes the grades once and
puts them in the outbox in batches, committing after each batch (the Grades page
shows the progress; delivery starts with the first batch). A worker that dies
mid-run leaves its cursor; the sweep starts the run again from there.

Only grades that mean something are sent: a learner who never started gets
nothing, unless the instructor chose, on a page that gave the counts, to send 0.

Activity types provide their grades through :func:`register_source` (the grades
package knows nothing about activities).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update

from lti_app import jobs
from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.domain.grade_comments import NOT_STARTED
from lti_app.extensions import db
from lti_app.grades.models import DONE, QUEUED, RUNNING, GradeSend
from lti_app.grades.services import ScoreEntry, line_item_for, record_scores

log = logging.getLogger(__name__)

PUBLISH = "grades.publish"
#: A running "Send grades" holds its run this long per batch.
LEASE_S = 300


@dataclass(frozen=True)
class Starters:
    """Who a "Send grades" would concern (cheap to count, shown before confirming)."""

    learners: int
    started: int

    @property
    def non_starters(self) -> int:
        return max(0, self.learners - self.started)


@dataclass(frozen=True)
class GradeLine:
    """One grade of one learner: a line item kind, a percentage, a plain comment."""

    kind: str
    percent: float
    comment: str


@dataclass
class GradePlan:
    """Every learner's grades, computed once per run. ``learners``: person ids of
    every learner considered; ``grades``: person id -> their grades (a learner who
    started but has none yet maps to an empty list); people absent from ``grades``
    never started. ``kinds``: the line items a 0 goes to for a non-starter."""

    learners: list[int]
    grades: dict[int, list[GradeLine]] = field(default_factory=dict)
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradeSource:
    """What an activity type provides for "Send grades"."""

    count: Callable[[Any], Starters]
    plan: Callable[[Any], GradePlan]


_sources: dict[str, GradeSource] = {}
#: Activity id -> the activity (set by the activities package, which sits above).
_loader: list[Callable[[int], Any]] = []


def register_source(
    activity_type: str, source: GradeSource, load_activity: Callable[[int], Any]
) -> None:
    """Let ``activity_type`` offer "Send grades"; ``load_activity`` finds an activity
    by its id for the background job."""
    _sources[activity_type] = source
    _loader[:] = [load_activity]


def source_of(activity: Any) -> GradeSource | None:
    return _sources.get(activity.activity_type)


class SendError(ValueError):
    """A "Send grades" request that cannot be started (the reason is for the page)."""


def count_starters(activity: Any) -> Starters:
    source = source_of(activity)
    if source is None:
        raise SendError("This activity sends its grades on its own, as learners finish.")
    return source.count(activity)


def running_send(activity_id: int) -> GradeSend | None:
    found: GradeSend | None = db.session.scalar(
        select(GradeSend)
        .where(GradeSend.activity_id == activity_id, GradeSend.status != DONE)
        .order_by(GradeSend.id.desc())
        .limit(1)
    )
    return found


def latest_send(activity_id: int) -> GradeSend | None:
    found: GradeSend | None = db.session.scalar(
        select(GradeSend)
        .where(GradeSend.activity_id == activity_id)
        .order_by(GradeSend.id.desc())
        .limit(1)
    )
    return found


def start_send(
    activity: Any,
    by: Person | None,
    *,
    zero_non_starters: bool,
    confirmed_non_starters: int | None = None,
) -> GradeSend:
    """Record a "Send grades" run and start it once the request commits.

    Sending 0 to non-starters needs ``confirmed_non_starters``: the count the
    instructor was shown; if it changed since, nothing starts (SendError) and the
    page asks again with the new count. Side effects: a row, a job after commit.
    """
    if activity.course_id is None:
        raise SendError("An activity opened outside a course has no gradebook.")
    counts = count_starters(activity)
    if zero_non_starters and confirmed_non_starters != counts.non_starters:
        raise SendError(
            f"The number of learners who never started is now "
            f"{counts.non_starters}; check it and confirm again."
        )
    if running_send(activity.id) is not None:
        raise SendError("Grades are already being sent for this activity; wait for that to finish.")
    run = GradeSend(
        registration_id=activity.registration_id,
        course_id=activity.course_id,
        activity_id=activity.id,
        requested_by_id=by.id if by else None,
        zero_non_starters=zero_non_starters,
        status=QUEUED,
        total=counts.learners,
        processed=0,
        queued_people=0,
        non_starters=0,
        no_grade_yet=0,
        cursor=0,
    )
    db.session.add(run)
    db.session.flush()
    jobs.after_commit(db.session(), PUBLISH, send_id=run.id)
    log.info(
        "grades: send %s queued for activity %s (%d learners, zeros=%s)",
        run.public_id,
        activity.public_id,
        counts.learners,
        zero_non_starters,
    )
    return run


def _take(send_id: int, now: datetime) -> bool:
    """Hold the run (one worker at a time); the caller commits."""
    taken = db.session.execute(
        update(GradeSend)
        .where(
            GradeSend.id == send_id,
            GradeSend.status != DONE,
            or_(GradeSend.lease_until.is_(None), GradeSend.lease_until < now),
        )
        .values(lease_until=now + timedelta(seconds=LEASE_S), status=RUNNING)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(taken, "rowcount", 0))


def publish_job(send_id: int) -> None:
    """Run one "Send grades": compute every grade once, then record them in batches,
    committing (and so starting delivery) after each."""
    now = utcnow()
    if not _take(send_id, now):
        db.session.rollback()
        return
    db.session.commit()
    run = db.session.get(GradeSend, send_id)
    activity = _loader[0](run.activity_id) if run is not None and _loader else None
    source = source_of(activity) if activity is not None else None
    if run is None or activity is None or source is None:
        if run is not None:
            run.status, run.error, run.finished_at = DONE, "The activity is gone.", utcnow()
            db.session.commit()
        return
    run.started_at = run.started_at or now
    plan = source.plan(activity)
    items = {kind: line_item_for(activity, kind) for kind in plan.kinds}
    todo = sorted(pid for pid in plan.learners if pid > run.cursor)
    run.total = run.processed + len(todo)
    db.session.commit()
    size = int(current_app.config["GRADES_PUBLISH_BATCH"])
    for start in range(0, len(todo), size):
        _record_batch(run, plan, items, todo[start : start + size])
        run.lease_until = utcnow() + timedelta(seconds=LEASE_S)
        db.session.commit()  # this batch's scores go out now
    run.status, run.finished_at, run.lease_until = DONE, utcnow(), None
    db.session.commit()
    log.info(
        "grades: send %s done: %d learners, %d with grades queued, %d never started",
        run.public_id,
        run.processed,
        run.queued_people,
        run.non_starters,
    )


def _record_batch(
    run: GradeSend, plan: GradePlan, items: dict[str, Any], people: list[int]
) -> None:
    by_kind: dict[str, list[ScoreEntry]] = {kind: [] for kind in items}
    queued: set[int] = set()
    for pid in people:
        lines = plan.grades.get(pid)
        if lines is None:
            run.non_starters += 1
            if run.zero_non_starters:
                for kind in items:
                    by_kind[kind].append(ScoreEntry(pid, 0.0, NOT_STARTED))
                queued.add(pid)
            continue
        if not lines:
            run.no_grade_yet += 1
        for line in lines:
            by_kind[line.kind].append(ScoreEntry(pid, line.percent, line.comment))
            queued.add(pid)
    for kind, entries in by_kind.items():
        if entries:
            record_scores(items[kind], entries)
    run.queued_people += len(queued)
    run.processed += len(people)
    run.cursor = people[-1]


def sweep_stalled_sends() -> None:
    """A run whose worker died (or whose message was lost) is started again; it
    resumes after the last batch it committed."""
    now = utcnow()
    for send_id in db.session.scalars(
        select(GradeSend.id)
        .where(
            GradeSend.status != DONE,
            or_(GradeSend.lease_until.is_(None), GradeSend.lease_until < now),
            GradeSend.created_at < now - timedelta(seconds=30),
        )
        .limit(20)
    ):
        jobs.enqueue(PUBLISH, send_id=send_id)


@dataclass(frozen=True)
class SendProgress:
    """What the Grades page says about the latest run."""

    running: bool
    percent: int
    text: str


def progress_of(run: GradeSend | None) -> SendProgress | None:
    if run is None:
        return None
    if run.status != DONE:
        pct = int(100 * run.processed / run.total) if run.total else 0
        return SendProgress(
            True,
            pct,
            f"Sending grades: {run.processed:,} of {run.total:,} "
            f"learners done ({pct}%). This page updates by itself.",
        )
    if run.error:
        return SendProgress(False, 100, f"The last grade sending stopped: {run.error}")
    parts = [
        f"{run.queued_people:,} learner{'s' if run.queued_people != 1 else ''} "
        "had grades put in the outbox"
    ]
    if run.non_starters:
        verb = "were sent 0" if run.zero_non_starters else "were left out (nothing sent)"
        parts.append(f"{run.non_starters:,} who never started {verb}")
    if run.no_grade_yet:
        parts.append(f"{run.no_grade_yet:,} have no grade yet")
    when = run.finished_at.strftime("%Y-%m-%d %H:%M UTC") if run.finished_at else ""
    return SendProgress(
        False,
        100,
        f"Last grade sending finished {when}: "
        + "; ".join(parts)
        + ". Unchanged grades are not sent again.",
    )
