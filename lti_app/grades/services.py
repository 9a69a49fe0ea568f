"""Recording scores into the outbox, and what the Grades panel shows.

A score is written in the same transaction as the change that produced it;
delivery starts once that transaction commits (see :mod:`lti_app.jobs`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lti_app import jobs
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import utcnow
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.grades.models import (
    COMPLETION,
    FAILED,
    KINDS,
    LEARNING_GAIN,
    MASTERY,
    PENDING,
    REVIEWING,
    SENT,
    SUBMISSION,
    LineItem,
    Score,
)

log = logging.getLogger(__name__)

DELIVER = "grades.deliver"
ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
#: The platform-side tag of each kind (how a line item is found again) and its label.
TAGS = {kind: "peerlift-" + kind.replace("_", "-") for kind in KINDS}
LABELS = {
    COMPLETION: "completion",
    LEARNING_GAIN: "learning gain",
    MASTERY: "post-test mastery",
    SUBMISSION: "submission grade",
    REVIEWING: "reviewing grade",
}
#: The LMS's answer when it already holds this score or a newer one (Moodle 409;
#: a Canvas 400 of the same meaning is stored as this too).
SUPERSEDED_STATUS = 409
#: Moodle compares score timestamps at whole seconds: keep updates a second apart.
MIN_STEP = timedelta(seconds=1)


class GradeInputError(ValueError):
    pass


def line_item_for(activity: Any, kind: str, *, score_maximum: float = 100.0) -> LineItem:
    """The activity's line item of ``kind``, made (locally) on first use; the
    platform side is found or created by delivery."""
    if kind not in KINDS:
        raise GradeInputError(f"unknown line item kind {kind!r}")
    if activity.course_id is None:
        raise GradeInputError("an activity opened outside a course has no gradebook")
    found = db.session.scalar(
        select(LineItem).where(LineItem.activity_id == activity.id, LineItem.kind == kind)
    )
    if found is None:
        found = LineItem(
            registration_id=activity.registration_id,
            course_id=activity.course_id,
            activity_id=activity.id,
            kind=kind,
            tag=TAGS[kind],
            label=f"{activity.title or 'Peerlift activity'}: {LABELS[kind]}"[:255],
            score_maximum=score_maximum,
            resource_link_id=activity.resource_link_id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(found)
                db.session.flush()
        except IntegrityError:
            found = db.session.scalars(
                select(LineItem).where(LineItem.activity_id == activity.id, LineItem.kind == kind)
            ).one()
    if kind == COMPLETION and activity.lineitem_url and found.url != activity.lineitem_url:
        # The link's coupled line item, as the latest launch named it.
        found.url = activity.lineitem_url
    return found


def is_gradable(person: Person, course_id: int) -> bool:
    """Only learners' scores go to the gradebook, never a test (Student View) user's:
    Moodle refuses teachers (400) and Canvas refuses non-students (422)."""
    if person.is_test_user:
        return False
    roles: list[str] | None = db.session.scalar(
        select(Enrolment.roles).where(
            Enrolment.course_id == course_id, Enrolment.person_id == person.id
        )
    )
    return roles is not None and LEARNER in roles


def record_score(
    line_item: LineItem,
    person: Person,
    *,
    score_given: float | None,
    score_maximum: float | None = None,
    comment: str = "",
    activity_progress: str = "Completed",
    grading_progress: str = "FullyGraded",
) -> Score | None:
    """Put the newest score of ``person`` on ``line_item`` in the outbox.

    Side effects: a delivery job once the caller's transaction commits. Returns
    None (and writes nothing) for someone who is not graded. A negative score is
    sent as 0 (AGS forbids negatives); an unchanged score is not sent again.
    """
    if activity_progress not in ACTIVITY_PROGRESS or grading_progress not in GRADING_PROGRESS:
        raise GradeInputError("unknown activityProgress or gradingProgress")
    maximum = float(score_maximum if score_maximum is not None else line_item.score_maximum)
    if maximum <= 0:
        raise GradeInputError("scoreMaximum must be greater than 0")
    given = None if score_given is None else max(0.0, float(score_given))
    if not is_gradable(person, line_item.course_id):
        log.info("grades: not recording a score for %s (not a gradable learner)", person.public_id)
        return None
    content: dict[str, Any] = dict(
        score_given=given,
        score_maximum=maximum,
        comment=(comment or "")[:4000],
        activity_progress=activity_progress,
        grading_progress=grading_progress,
    )
    now = utcnow()
    row = _locked_score(line_item.id, person.id)
    if row is None:
        row = Score(
            registration_id=line_item.registration_id,
            line_item_id=line_item.id,
            person_id=person.id,
            version=1,
            delivered_version=0,
            status=PENDING,
            attempts=0,
            timestamp=now,
            next_attempt_at=now,
            **content,
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:  # recorded concurrently: update theirs instead
            row = _locked_score(line_item.id, person.id)
            assert row is not None
        else:
            jobs.after_commit(db.session(), DELIVER)
            return row
    if all(getattr(row, k) == v for k, v in content.items()) and row.status != FAILED:
        return row
    _change(row, content, now)
    jobs.after_commit(db.session(), DELIVER)
    return row


@dataclass(frozen=True)
class ScoreEntry:
    """One score for :func:`record_scores`."""

    person_id: int
    score_given: float
    comment: str


def gradable_ids(course_id: int, person_ids: list[int]) -> set[int]:
    """Of ``person_ids``, the learners whose scores go to the gradebook (one query):
    see :func:`is_gradable`."""
    rows = db.session.execute(
        select(Enrolment.person_id, Enrolment.roles, Person.is_test_user)
        .join(Person, Person.id == Enrolment.person_id)
        .where(Enrolment.course_id == course_id, Enrolment.person_id.in_(person_ids))
    ).all()
    return {pid for pid, roles, test_user in rows if not test_user and LEARNER in (roles or [])}


def record_scores(line_item: LineItem, entries: list[ScoreEntry]) -> int:
    """:func:`record_score` for many people of one line item at once ("Send grades"
    for a big course): a few statements per batch instead of a few per score.
    Returns how many scores are new or changed (and so will be sent).

    Side effects: one delivery job once the caller's transaction commits.
    """
    maximum = float(line_item.score_maximum)
    wanted = {e.person_id: e for e in entries}
    allowed = gradable_ids(line_item.course_id, list(wanted)) if wanted else set()
    if not allowed:
        return 0
    existing = {
        row.person_id: row
        for row in db.session.scalars(
            select(Score)
            .where(Score.line_item_id == line_item.id, Score.person_id.in_(allowed))
            .with_for_update()
        )
    }
    now = utcnow()
    changed = 0
    fresh: list[dict[str, Any]] = []
    for pid in sorted(allowed):
        entry = wanted[pid]
        content: dict[str, Any] = dict(
            score_given=max(0.0, float(entry.score_given)),
            score_maximum=maximum,
            comment=(entry.comment or "")[:4000],
            activity_progress="Completed",
            grading_progress="FullyGraded",
        )
        row = existing.get(pid)
        if row is None:
            fresh.append(
                dict(
                    registration_id=line_item.registration_id,
                    line_item_id=line_item.id,
                    person_id=pid,
                    version=1,
                    delivered_version=0,
                    status=PENDING,
                    attempts=0,
                    timestamp=now,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                    **content,
                )
            )
            continue
        if all(getattr(row, k) == v for k, v in content.items()) and row.status != FAILED:
            continue
        _change(row, content, now)
        changed += 1
    if fresh:
        try:
            with db.session.begin_nested():  # one multi-row INSERT, not 1,000 objects
                db.session.execute(insert(Score), fresh)
        except IntegrityError:  # someone recorded one of them meanwhile: one by one
            for values in fresh:
                person = db.session.get(Person, values["person_id"])
                assert person is not None
                record_score(
                    line_item, person, score_given=values["score_given"], comment=values["comment"]
                )
        changed += len(fresh)
    if changed:
        jobs.after_commit(db.session(), DELIVER)
    return changed


def _change(row: Score, content: dict[str, Any], now: datetime) -> None:
    """New content for a score: a new version with a newer timestamp, sent anew."""
    for key, value in content.items():
        setattr(row, key, value)
    row.version += 1
    row.timestamp = next_timestamp(row, now)
    row.status, row.attempts, row.next_attempt_at = PENDING, 0, now
    row.failing_since = row.last_error = row.last_status = None


def next_timestamp(row: Score, now: datetime) -> datetime:
    """A timestamp newer, by at least a second, than any the LMS may have recorded
    for this row. A version that was never attempted does not count: ten quick
    changes before delivery must not push the timestamp ten seconds into the
    future (Canvas refuses timestamps more than a minute ahead)."""
    in_flight = row.attempts > 0 or row.lease_owner is not None
    base = row.timestamp if in_flight else row.sent_timestamp
    return now if base is None else max(now, base + MIN_STEP)


def _locked_score(line_item_id: int, person_id: int) -> Score | None:
    # FOR UPDATE on PostgreSQL: two changes at once bump the version one after the
    # other (SQLite serialises writers anyway and ignores it).
    found: Score | None = db.session.scalar(
        select(Score)
        .where(Score.line_item_id == line_item_id, Score.person_id == person_id)
        .with_for_update()
    )
    return found


# -- the Grades panel -------------------------------------------------------------


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
