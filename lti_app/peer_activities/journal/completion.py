"""Completion of the journal, and the completion score in the grade outbox.

The rule: at least ``entries_required`` entries and one action plan item. The
moment it is first met is the learner's completion (``JournalProgress``), the
anchor of their check-ins (see ``schedule``). Staff may reopen it; the learner
then completes again with their next save, and their check-ins are rescheduled.

The completion score is a percentage of steps done, never a judgement of what was
written: with the ``entries`` rule one step (the journal complete); with
``entries_and_checkins`` also one step per check-in answered. Check-in answers
themselves are never graded.

Side effects: inserts/updates progress rows, schedules check-ins, queues scores in
the grade outbox (delivered after the request commits); flushes.
"""

from __future__ import annotations

import logging
from functools import cache

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.grades import services as grades
from lti_app.peer_activities.journal import clock, settings
from lti_app.peer_activities.journal.models import (
    ANSWERED,
    JournalActionItem,
    JournalCheckin,
    JournalProgress,
)
from lti_app.peer_activities.journal.services import schedule
from lti_app.peer_activities.journal.services.entries import entry_count
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)


@cache
def _progress_row(lock: bool) -> Select[JournalProgress]:
    """The progress row of ``:person`` in ``:activity`` (built once per process)."""
    stmt = select(JournalProgress).where(
        JournalProgress.activity_id == bindparam("activity", type_=Integer),
        JournalProgress.person_id == bindparam("person", type_=Integer),
    )
    return stmt.with_for_update() if lock else stmt


def progress_of(
    activity: Activity, person_id: int, *, create: bool = False, lock: bool = False
) -> JournalProgress | None:
    """The learner's progress row; ``create`` makes it, ``lock`` holds it (FOR UPDATE,
    where the database has it) so two saves at once complete the journal once."""
    found: JournalProgress | None = db.session.scalar(
        _progress_row(lock), {"activity": activity.id, "person": person_id}
    )
    if found is None and create:
        found = JournalProgress(activity_id=activity.id, person_id=person_id)
        try:
            with db.session.begin_nested():
                db.session.add(found)
                db.session.flush()
        except IntegrityError:
            found = db.session.scalars(
                select(JournalProgress).where(
                    JournalProgress.activity_id == activity.id,
                    JournalProgress.person_id == person_id,
                )
            ).one()
    return found


def is_completed(activity: Activity, person: Person) -> bool:
    """Whether the learner has completed the journal (and it was not reopened)."""
    progress = progress_of(activity, person.id)
    return progress is not None and progress.completed_at is not None


def rule_met(activity: Activity, person_id: int) -> bool:
    items = db.session.scalar(
        select(func.count(JournalActionItem.id)).where(
            JournalActionItem.activity_id == activity.id, JournalActionItem.person_id == person_id
        )
    )
    return entry_count(activity, person_id) >= settings.entries_required(activity) and bool(items)


def check_completion(activity: Activity, person: Person) -> bool:
    """After a learner saved something: complete them (once) when the rule is met,
    schedule their check-ins, and queue their score. True when they completed now."""
    progress = progress_of(activity, person.id, create=True, lock=True)
    assert progress is not None
    if progress.completed_at is not None or not rule_met(activity, person.id):
        return False
    progress.completed_at = clock.now()
    db.session.flush()
    schedule.schedule_checkins(activity, progress)
    update_score(activity, person)
    log.info("journal %s: %s complete", activity.public_id, person.public_id)
    return True


def reopen(activity: Activity, person: Person) -> JournalProgress:
    """Staff reopen a learner's completion: unanswered check-ins are cancelled and
    the score goes back down; the next save completes the journal again."""
    progress = progress_of(activity, person.id, create=True, lock=True)
    assert progress is not None
    progress.completed_at = None
    progress.reopened_at = clock.now()
    schedule.cancel_pending(activity, person.id)
    db.session.flush()
    update_score(activity, person)
    return progress


def steps(activity: Activity, person_id: int) -> tuple[int, int]:
    """(done, total) steps of the completion rule."""
    progress = progress_of(activity, person_id)
    done = 1 if progress is not None and progress.completed_at is not None else 0
    if settings.completion_rule(activity) == "entries":
        return done, 1
    answered = (
        db.session.scalar(
            select(func.count(JournalCheckin.id)).where(
                JournalCheckin.activity_id == activity.id,
                JournalCheckin.person_id == person_id,
                JournalCheckin.status == ANSWERED,
            )
        )
        or 0
    )
    total = 1 + len(settings.checkin_days(activity))
    return min(total, done + answered), total


def update_score(activity: Activity, person: Person) -> None:
    """Queue the completion percentage (unchanged scores are not sent again)."""
    if activity.course_id is None:
        return
    done, total = steps(activity, person.id)
    complete = done == total
    line_item = grades.line_item_for(activity, "completion")
    grades.record_score(
        line_item,
        person,
        score_given=round(100.0 * done / total, 2),
        score_maximum=100,
        comment=("Journal complete." if complete else f"Journal: {done} of {total} steps done."),
        activity_progress="Completed" if complete else "InProgress",
    )
