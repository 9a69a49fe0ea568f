"""Transfer check-ins, scheduled relative to each learner's completion.

The anchor
    A learner's check-ins count from their *anchor day*: the UTC day on which they
    completed the journal (its completion rule met: ``completion``), or, when the
    instructor anchors on the course end, the later of the course end date and
    that completion day (nobody is asked about transfer before they finished).
    Check-in ``d`` is due at 00:00 UTC of anchor day + ``d`` days. Everything is
    stored and compared in naive UTC; learners see the date with "(UTC)".

Edge cases
    * completion reopened (staff): unanswered check-ins are cancelled; when the
      learner completes again they are scheduled afresh from the new anchor.
      Answered check-ins are kept as they are.
    * settings changed (days, anchor, course end): unanswered check-ins of every
      completed learner are rescheduled; days no longer asked for are cancelled.
    * learner inactive (enrolment ``inactive``): no reminder e-mail; the check-in
      still appears and can be answered if they launch again.
    * course concluded (the instructor's "follow-up closes" date has passed): no
      reminders, no launch notices, and no new answers.

Reminders: the periodic sweep (``find_due_checkins``, every 15 s) looks for due,
not yet reminded check-ins with one indexed query and enqueues
``journal.checkins_due``, which queues one e-mail per check-in (idempotent: each
check-in is reminded once, with a ``dedupe_key``) carrying a signed deep link.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, bindparam, select, update

from lti_app import jobs, mail
from lti_app.courses.models import Enrolment, Person
from lti_app.extensions import db
from lti_app.peer_activities.journal import clock, settings
from lti_app.peer_activities.journal.models import (
    ANSWERED,
    CANCELLED,
    PENDING,
    JournalCheckin,
    JournalProgress,
)
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)

DUE_JOB = "journal.checkins_due"
LINK_SALT = "peerlift.journal.checkin-link.v1"
#: A reminder's signed link works this long; older due check-ins are not e-mailed.
LINK_MAX_AGE = timedelta(days=14)
_BATCH = 200


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def anchor_day(activity: Activity, progress: JournalProgress) -> date | None:
    """The UTC day a learner's check-in days count from (see the module docstring)."""
    if progress.completed_at is None:
        return None
    done = progress.completed_at.date()
    end = settings.course_end(activity)
    if settings.anchor(activity) == "course_end" and end is not None:
        return max(end, done)
    return done


#: Prebuilt (hot: every journal page and check-in): bound at execution.
_CHECKINS_OF = (
    select(JournalCheckin)
    .where(
        JournalCheckin.activity_id == bindparam("activity"),
        JournalCheckin.person_id == bindparam("person"),
    )
    .order_by(JournalCheckin.day)
)


def checkins_of(activity: Activity, person_id: int) -> list[JournalCheckin]:
    return list(db.session.scalars(_CHECKINS_OF, {"activity": activity.id, "person": person_id}))


def schedule_checkins(activity: Activity, progress: JournalProgress) -> list[JournalCheckin]:
    """(Re)schedule the learner's unanswered check-ins from their anchor day.
    Answered ones are kept; days the activity no longer asks for are cancelled."""
    anchor = anchor_day(activity, progress)
    if anchor is None:
        return []
    days = settings.checkin_days(activity)
    existing = {c.day: c for c in checkins_of(activity, progress.person_id)}
    for day in days:
        row = existing.get(day)
        if row is None:
            row = existing[day] = JournalCheckin(
                activity_id=activity.id, person_id=progress.person_id, day=day
            )
            db.session.add(row)
        if row.status == ANSWERED:
            continue
        due = day_start(anchor + timedelta(days=day))
        if row.status != PENDING or row.due_at != due:
            row.reminder = None
            row.reminded_at = None
        row.status = PENDING
        row.due_at = due
    for day, row in existing.items():
        if day not in days and row.status == PENDING:
            row.status = CANCELLED
    db.session.flush()
    log.info(
        "journal %s: check-ins scheduled for person %s from %s",
        activity.public_id,
        progress.person_id,
        anchor.isoformat(),
    )
    return [existing[d] for d in days]


def cancel_pending(activity: Activity, person_id: int) -> int:
    """Cancel the learner's unanswered check-ins (completion reopened)."""
    result = db.session.execute(
        update(JournalCheckin)
        .where(
            JournalCheckin.activity_id == activity.id,
            JournalCheckin.person_id == person_id,
            JournalCheckin.status == PENDING,
        )
        .values(status=CANCELLED)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def reschedule_activity(activity: Activity) -> None:
    """After the settings changed: every completed learner's unanswered check-ins."""
    for progress in db.session.scalars(
        select(JournalProgress).where(
            JournalProgress.activity_id == activity.id, JournalProgress.completed_at.is_not(None)
        )
    ):
        schedule_checkins(activity, progress)


def is_closed(activity: Activity, today: date | None = None) -> bool:
    """The course's follow-up has concluded (its closing day has passed)."""
    closes = settings.followup_closes(activity)
    return closes is not None and (today or clock.today()) > closes


def is_due(checkin: JournalCheckin, now: datetime | None = None) -> bool:
    return checkin.status == PENDING and checkin.due_at <= (now or clock.now())


def due_in_course(course_id: int, person_id: int) -> list[tuple[JournalCheckin, Activity]]:
    """The person's due, unanswered check-ins in every journal of the course whose
    follow-up is still open (one indexed query)."""
    rows = db.session.execute(
        select(JournalCheckin, Activity)
        .join(Activity, Activity.id == JournalCheckin.activity_id)
        .where(
            JournalCheckin.person_id == person_id,
            JournalCheckin.status == PENDING,
            JournalCheckin.due_at <= clock.now(),
            Activity.course_id == course_id,
        )
        .order_by(JournalCheckin.due_at)
    ).all()
    return [(c, a) for c, a in rows if not is_closed(a)]


# -- signed deep links (e-mail) ----------------------------------------------------------


def _link_serializer() -> URLSafeTimedSerializer:
    keys = [*current_app.config.get("SECRET_KEY_FALLBACKS", []), current_app.config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=LINK_SALT)


def link_token(checkin: JournalCheckin, person: Person) -> str:
    token: str = _link_serializer().dumps({"c": checkin.public_id, "p": person.public_id})
    return token


def read_link(token: str) -> JournalCheckin | None:
    """The check-in a signed link names, if the signature holds and it is fresh."""
    try:
        data = _link_serializer().loads(token, max_age=int(LINK_MAX_AGE.total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    found: JournalCheckin | None = db.session.scalar(
        select(JournalCheckin)
        .join(Person, Person.id == JournalCheckin.person_id)
        .where(
            JournalCheckin.public_id == str(data.get("c")), Person.public_id == str(data.get("p"))
        )
    )
    return found


def link_url(token: str) -> str:
    base = current_app.config.get("PUBLIC_URL") or current_app.config.get("BASE_URL") or ""
    return f"{base.rstrip('/')}/j/link/{token}"


# -- the periodic task ------------------------------------------------------------------------


def _unreminded(now: datetime) -> Any:
    return select(JournalCheckin).where(
        JournalCheckin.status == PENDING,
        JournalCheckin.reminder.is_(None),
        JournalCheckin.due_at <= now,
    )


def find_due_checkins() -> None:
    """Every sweep: when e-mail is on and a check-in came due, enqueue the reminders."""
    if not mail.configured():
        return
    if (
        db.session.scalar(_unreminded(clock.now()).with_only_columns(JournalCheckin.id).limit(1))
        is not None
    ):
        jobs.enqueue(DUE_JOB)


def remind_due_checkins() -> int:
    """Queue one reminder e-mail per due check-in, at most once each. Returns how
    many e-mails were queued. Idempotent: a handled check-in is marked."""
    if not mail.configured():
        return 0
    now = clock.now()
    sent = 0
    rows = db.session.execute(
        _unreminded(now)
        .add_columns(Activity, Person, Enrolment.status)
        .join(Activity, Activity.id == JournalCheckin.activity_id)
        .join(Person, Person.id == JournalCheckin.person_id)
        .outerjoin(
            Enrolment,
            and_(
                Enrolment.course_id == Activity.course_id,
                Enrolment.person_id == JournalCheckin.person_id,
            ),
        )
        .order_by(JournalCheckin.due_at)
        .limit(_BATCH)
    ).all()
    for checkin, activity, person, status in rows:
        if status != "active":
            checkin.reminder = "inactive"
        elif is_closed(activity, now.date()):
            checkin.reminder = "closed"
        elif checkin.due_at < now - LINK_MAX_AGE:
            checkin.reminder = "stale"
        elif not person.email:
            checkin.reminder = "no_email"
        else:
            url = link_url(link_token(checkin, person))
            mail.queue(
                to=person.email,
                dedupe_key=f"journal.checkin.{checkin.public_id}",
                subject=f"Your {checkin.day}-day check-in: {activity.title or 'journal'}",
                body=(
                    f"Hello {person.display_name},\n\n"
                    f"It is {checkin.day} days since you completed "
                    f'"{activity.title or "your reflection journal"}". What have you '
                    "applied at work, what got in the way, and whom did you share it "
                    "with? It takes about five minutes.\n\n"
                    f"Answer your check-in: {url}\n\n"
                    "The link works for 14 days and only for you. You can also open "
                    "any Peerlift activity in your course: the check-in is shown "
                    "first.\n"
                ),
            )
            checkin.reminder = "sent"
            sent += 1
        checkin.reminded_at = now
    db.session.flush()
    if rows:
        log.info("journal: %d check-in reminders handled, %d e-mails queued", len(rows), sent)
    return sent
