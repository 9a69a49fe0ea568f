"""E-mail reminders: what a learner owes in a peer review, by e-mail before a due
date when SMTP is configured (the launch notices are in ``notices``).

By e-mail (sweeper ``find_due_reminders`` → job ``peer_review.reminders_due``)
    When a submission or review due date is 24 hours away or has passed (up to
    ``GRACE`` ago), every active learner with an address who still owes that
    phase is sent one reminder per activity, phase and due date: the mail
    outbox's ``dedupe_key`` (``pr-remind:<activity>:<person>:<phase>:<due>``)
    makes that hold across sweeps, workers and restarts, and a moved due date
    makes a new reminder. Off for an activity whose settings say
    ``email_reminders: false``; nothing at all without SMTP (``mail.configured``).
    The e-mail names the activity and the course and sends people there: an LTI
    tool only opens from a launch, so a link straight into Peerlift would not work.

    The due dates live in each activity's JSON settings, which no index reaches,
    so the sweep (every ~15 s) only looks at them every ``SCAN_S`` seconds per
    process (one query over the peer-review activities' settings); the job then
    costs a handful of indexed queries per activity with a phase in its window.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import String, and_, cast, func, select

from lti_app import jobs, mail
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import utcnow
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.mail.models import MailMessage
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import phases
from lti_app.peer_activities.peer_review.models import (
    DONE,
    PeerReviewProgress,
    PeerReviewReview,
    PeerReviewSubmission,
)
from lti_app.peer_activities.peer_review.notices import TYPE, due_text, review_quota

log = logging.getLogger(__name__)

DUE_JOB = "peer_review.reminders_due"
#: E-mail reminders start this long before a due date…
AHEAD = timedelta(hours=24)
#: …and a learner who still owes the phase this long after it is reminded once
#: (covers a due date set in the past, or SMTP configured late); later, no e-mail.
GRACE = timedelta(days=3)
#: How often (seconds) a process's sweep reads the due dates (``PEER_REVIEW_REMINDER_SCAN_S``).
SCAN_S = 300
_STATE = "peerlift.peer_review.reminders"
_EMAIL_PHASES = (phases.SUBMISSION, phases.REVIEW)
_ACTION = {phases.SUBMISSION: phases.SUBMIT, phases.REVIEW: phases.REVIEW_WORK}


def _learner_count(course_id: int) -> int:
    """Active learners of the course (roles are a JSON list: its text holds
    ``"learner"`` exactly when the list does)."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(
                Enrolment.course_id == course_id,
                Enrolment.status == "active",
                cast(Enrolment.roles, String).like(f'%"{LEARNER}"%'),
            )
        )
        or 0
    )


def in_window(due: datetime | None, now: datetime) -> bool:
    """The due date is at most ``AHEAD`` away, or passed at most ``GRACE`` ago."""
    return due is not None and due - AHEAD <= now <= due + GRACE


def _due_phases(settings: dict[str, Any], now: datetime) -> list[tuple[str, datetime]]:
    if settings.get("email_reminders", True) is False:
        return []
    found = []
    for key in _EMAIL_PHASES:
        due = phases.parse_due(settings.get(phases.DUE_KEYS[key]))
        # Nothing is asked that the phase set by hand refuses (phases.RULES).
        if due is not None and in_window(due, now) and phases.allowed(settings, _ACTION[key]):
            found.append((key, due))
    return found


def _scan(now: datetime) -> list[tuple[int, str, datetime]]:
    """(activity id, phase, due) for every peer review with a phase in its window."""
    rows = db.session.execute(
        select(Activity.id, Activity.settings).where(
            Activity.activity_type == TYPE, Activity.course_id.is_not(None)
        )
    ).all()
    return [
        (aid, key, due) for aid, settings in rows for key, due in _due_phases(settings or {}, now)
    ]


def find_due_reminders() -> None:
    """Every sweep: when e-mail is on, read the due dates every ``SCAN_S`` seconds
    (per process) and enqueue the reminders job when a phase is in its window."""
    if not mail.configured():
        return
    state = current_app.extensions.setdefault(_STATE, {})
    now = utcnow()
    every = timedelta(seconds=float(current_app.config.get("PEER_REVIEW_REMINDER_SCAN_S", SCAN_S)))
    if state.get("scanned_at") is not None and now - state["scanned_at"] < every:
        return
    state["scanned_at"] = now
    if _scan(now):
        jobs.enqueue(DUE_JOB)


def reminder_key(activity: Activity, person: Person, phase: str, due: datetime) -> str:
    return f"pr-remind:{activity.public_id}:{person.public_id}:{phase}:{due:%Y-%m-%dT%H:%M}"


def _owing(activity: Activity, phase: str) -> list[tuple[Person, int]]:
    """Active learners with an address who still owe ``phase``, with how many
    reviews (0 for a submission). Three indexed queries."""
    people = db.session.execute(
        select(Person, Enrolment.roles)
        .join(
            Enrolment,
            and_(Enrolment.person_id == Person.id, Enrolment.course_id == activity.course_id),
        )
        .where(Enrolment.status == "active", Person.email.is_not(None))
    ).all()
    learners = [p for p, roles in people if LEARNER in (roles or []) and p.email]
    if not learners:
        return []
    moved_on = set(
        db.session.scalars(
            select(PeerReviewProgress.person_id).where(
                PeerReviewProgress.activity_id == activity.id,
                PeerReviewProgress.moved_on_at.is_not(None),
            )
        )
    )
    authors = set(
        db.session.scalars(
            select(PeerReviewSubmission.author_id).where(
                PeerReviewSubmission.activity_id == activity.id
            )
        )
    )
    if phase == phases.SUBMISSION:
        return [(p, 0) for p in learners if p.id not in authors and p.id not in moved_on]
    given: dict[int, int] = {
        reviewer: n
        for reviewer, n in db.session.execute(
            select(PeerReviewReview.reviewer_id, func.count())
            .where(PeerReviewReview.activity_id == activity.id, PeerReviewReview.status == DONE)
            .group_by(PeerReviewReview.reviewer_id)
        ).all()
    }
    quota = review_quota(activity.settings, _learner_count(activity.course_id or 0))
    out = []
    for person in learners:
        if person.id in moved_on or person.id not in authors:
            continue  # not submitted yet: the submission reminder is theirs
        done = given.get(person.id, 0)
        owed = min(quota - done, len(authors) - 1 - done)
        if owed > 0:
            out.append((person, owed))
    return out


def _message(
    activity: Activity,
    course: Course | None,
    person: Person,
    phase: str,
    due: datetime,
    owed: int,
    now: datetime,
) -> tuple[str, str]:
    title = activity.title or "your peer assessment"
    where = (
        f" in your course “{course.title or course.label}”"
        if course is not None and (course.title or course.label)
        else " in your course"
    )
    when = f"was due {due_text(due)}" if now >= due else f"is due {due_text(due)}"
    if phase == phases.SUBMISSION:
        subject = f"Reminder: submit your work for {title}"
        what = f"Your work for “{title}” {when}. Once you submit it, you review your peers' work."
        if now >= due:
            what += " A late submission is still accepted and still gets its reviews."
    else:
        noun = "review" if owed == 1 else "reviews"
        subject = f"Reminder: {owed} peer {noun} to write for {title}"
        what = (
            f"You still owe {owed} {noun} in “{title}”; reviews {when}. Your peers are "
            "waiting for your feedback."
        )
    body = (
        f"Hello {person.display_name or 'there'},\n\n{what}\n\n"
        f"Open “{title}”{where}: Peerlift opens from that link and shows what you owe "
        "first.\n\n— Peerlift (an automatic reminder; you get one per due date)\n"
    )
    return subject, body


def remind_due() -> int:
    """Queue one reminder e-mail per learner who owes a phase in its window, once
    per activity, phase and due date (``dedupe_key``). Returns how many were queued.

    Side effects: inserts ``mail_message`` rows (sent after the job commits)."""
    if not mail.configured():
        return 0
    now = utcnow()
    queued = 0
    for activity_id, phase, due in _scan(now):
        activity = db.session.get(Activity, activity_id)
        if activity is None:
            continue
        owing = _owing(activity, phase)
        if not owing:
            continue
        keys = {p.id: reminder_key(activity, p, phase, due) for p, _ in owing}
        sent = set(
            db.session.scalars(
                select(MailMessage.dedupe_key).where(
                    MailMessage.dedupe_key.in_(list(keys.values()))
                )
            )
        )
        course = db.session.get(Course, activity.course_id) if activity.course_id else None
        for person, owed in owing:
            if keys[person.id] in sent:
                continue
            subject, body = _message(activity, course, person, phase, due, owed, now)
            if (
                mail.queue(to=person.email, subject=subject, body=body, dedupe_key=keys[person.id])
                is not None
            ):
                queued += 1
    if queued:
        log.info("peer review: %d reminder e-mail(s) queued", queued)
    return queued
