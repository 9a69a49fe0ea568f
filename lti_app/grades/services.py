"""Recording scores into the outbox (what the Grades panel shows: ``grades.panel``).

A score is written in the same transaction as the change that produced it;
delivery starts once that transaction commits (see :mod:`lti_app.jobs`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from lti_app import jobs
from lti_app.courses.models import Enrolment, Person
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
