"""Notices and reminders: what a learner owes in the course's peer reviews, at every launch,
and by e-mail before a due date when SMTP is configured.

At launch (``SOURCE``, a ``notices.Source``)
    From any Peerlift link of the course a learner first sees, for every peer
    review of the course they take part in: "Submit your work for <title>",
    "You owe N reviews in <title>" (only once they submitted and there is other
    work to review), "Rate the feedback you received in <title>". Nothing once
    done, nothing after the instructor moved them on, nothing for staff. One
    SELECT of the page's single notices statement, whatever the number of
    activities: one row per peer-review activity of the course with the
    learner's figures (and the course's learner count, for the quota) as
    indexed sub-queries.

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import Integer, String, and_, bindparam, cast, func, select

from lti_app import jobs, mail
from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import utcnow
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.mail.models import MailMessage
from lti_app.peer_activities import notices
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import phases
from lti_app.peer_activities.peer_review.models import (
    DONE,
    PeerReviewProgress,
    PeerReviewReview,
    PeerReviewSubmission,
)

log = logging.getLogger(__name__)

TYPE = "peer_review"
NOTICES = "peer_review.owed"
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


def _due_text(due: datetime) -> str:
    return due.strftime("%d %b %Y %H:%M") + " UTC"


def _quota(settings: dict[str, Any], n_learners: int) -> int:
    """Reviews a learner owes (as ``reviews.quota``: k, fewer in a tiny cohort)."""
    return max(0, min(int(settings.get("reviews_per_submission", 3)), n_learners - 1))


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


# -- launch notices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Owed:
    """What one learner owes in one activity (the notices' and e-mails' facts)."""

    submit: bool
    reviews: int
    ratings: int


def _figures() -> list[Any]:
    """One row per peer review of the course (bound ``:course``, ``:person``): the
    activity, the learner's own submission, reviews given, submissions in the pool,
    unrated reviews received, whether they were moved on, and the course's learner
    count (for the quota). Each figure is an indexed sub-query; the row is one
    SELECT of the page's notices statement."""
    act, sub, rev = Activity, PeerReviewSubmission, PeerReviewReview
    person, course = bindparam("person", type_=Integer), bindparam("course", type_=Integer)
    own = (
        select(sub.id)
        .where(sub.activity_id == act.id, sub.author_id == person)
        .limit(1)
        .scalar_subquery()
    )
    given = (
        select(func.count())
        .select_from(rev)
        .where(rev.reviewer_id == person, rev.activity_id == act.id, rev.status == DONE)
        .scalar_subquery()
    )
    pool = select(func.count()).select_from(sub).where(sub.activity_id == act.id).scalar_subquery()
    unrated = (
        select(func.count())
        .select_from(rev)
        .join(sub, sub.id == rev.submission_id)
        .where(
            sub.activity_id == act.id,
            sub.author_id == person,
            rev.status == DONE,
            rev.helpfulness.is_(None),
        )
        .scalar_subquery()
    )
    moved_on = (
        select(func.count())
        .select_from(PeerReviewProgress)
        .where(
            PeerReviewProgress.person_id == person,
            PeerReviewProgress.activity_id == act.id,
            PeerReviewProgress.moved_on_at.is_not(None),
        )
        .scalar_subquery()
    )
    learners = (
        select(func.count())
        .select_from(Enrolment)
        .where(
            Enrolment.course_id == course,
            Enrolment.status == "active",
            cast(Enrolment.roles, String).like(f'%"{LEARNER}"%'),
        )
        .scalar_subquery()
    )
    return [
        select(
            *notices.columns(
                NOTICES,
                texts=(act.public_id, act.title, cast(act.settings, String)),
                numbers=(own, given, pool, unrated, moved_on, learners, act.id),
            )
        ).where(act.course_id == course, act.activity_type == TYPE)
    ]


@dataclass(frozen=True)
class Figures:
    """A learner's figures in one peer review (a row of :func:`_figures`)."""

    public_id: str
    title: str | None
    settings: dict[str, Any]
    own: int | None
    given: int
    pool: int
    unrated: int
    moved_on: int
    learners: int
    #: The activity's id: notices follow the order activities were added in.
    order: int

    @classmethod
    def of(cls, row: Any) -> Figures:
        return cls(
            row.s1,
            row.s2,
            notices.json_settings(row.s3),
            row.n1,
            row.n2 or 0,
            row.n3 or 0,
            row.n4 or 0,
            row.n5 or 0,
            row.n6 or 0,
            row.n7 or 0,
        )


def owed_by(settings: dict[str, Any], row: Any, n_learners: int | None) -> Owed:
    """What the learner of ``row`` (see ``_figures``) owes. Reviews count only once
    they submitted and there is someone else's work they have not reviewed yet."""
    if row.moved_on:
        return Owed(False, 0, 0)
    if row.own is None:
        return Owed(True, 0, 0)
    reviews = 0
    if n_learners is not None:
        reviews = max(0, _quota(settings, n_learners) - row.given)
        reviews = min(reviews, max(0, row.pool - 1 - row.given))
    ratings = row.unrated if settings.get("rate_feedback", True) else 0
    return Owed(False, reviews, ratings)


def _notices(actor: Any, rows: list[Any]) -> list[notices.Notice]:
    """A learner's owed submissions, reviews and feedback ratings in every peer
    review of their course."""
    now = utcnow()
    token = actor.token()
    found: list[notices.Notice] = []
    for fig in sorted((Figures.of(r) for r in rows), key=lambda f: f.order):
        settings = fig.settings
        owed = owed_by(settings, fig, fig.learners)
        title = fig.title or "Peer assessment"
        url = url_for("activities.show", activity_id=fig.public_id, t=token, _anchor="peer-review")
        if owed.submit:
            due = phases.parse_due(settings.get(phases.DUE_KEYS[phases.SUBMISSION]))
            late = due is not None and now >= due
            found.append(
                notices.Notice(
                    "owed",
                    f"Submit your work for {title}" + (f" (due {_due_text(due)})" if due else ""),
                    "It is past the due date: submit it now; it still gets its reviews."
                    if late
                    else "Then you review your peers' work.",
                    url,
                    "Submit your work",
                    priority=12 if late else 22,
                )
            )
        if owed.reviews:
            due = phases.parse_due(settings.get(phases.DUE_KEYS[phases.REVIEW]))
            late = due is not None and now >= due
            noun = "review" if owed.reviews == 1 else "reviews"
            found.append(
                notices.Notice(
                    "owed",
                    f"You owe {owed.reviews} {noun} in {title}",
                    (f"Reviews were due {_due_text(due)}." if late else f"Due {_due_text(due)}.")
                    if due
                    else "Your peers are waiting for your feedback.",
                    url,
                    "Start the next review",
                    priority=12 if late else 22,
                )
            )
        if owed.ratings:
            waiting = (
                "1 review of your work waits for your rating of how helpful it was."
                if owed.ratings == 1
                else f"{owed.ratings} reviews of your work wait "
                "for your rating of how helpful they were."
            )
            found.append(
                notices.Notice(
                    "owed",
                    f"Rate the feedback you received in {title}",
                    waiting,
                    url,
                    "Rate the feedback",
                    priority=32,
                )
            )
    return found


SOURCE = notices.Source(
    NOTICES,
    applies=lambda actor: not actor.is_staff and actor.roles.is_learner,
    queries=_figures,
    build=_notices,
)
#: What the activity registers (see activity.py).
SOURCES = (SOURCE,)


def peer_review_owed(actor: Any) -> list[notices.Notice]:
    """This source's notices alone (one statement; the page runs all sources at once)."""
    return notices.from_source(actor, SOURCE)


# -- e-mail -----------------------------------------------------------------------------------


def in_window(due: datetime | None, now: datetime) -> bool:
    """The due date is at most ``AHEAD`` away, or passed at most ``GRACE`` ago."""
    return due is not None and due - AHEAD <= now <= due + GRACE


def _due_phases(settings: dict[str, Any], now: datetime) -> list[tuple[str, datetime]]:
    if settings.get("email_reminders", True) is False:
        return []
    found = []
    for key in _EMAIL_PHASES:
        due = phases.parse_due(settings.get(phases.DUE_KEYS[key]))
        if due is not None and in_window(due, now):
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
    quota = _quota(activity.settings, _learner_count(activity.course_id or 0))
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
    when = f"was due {_due_text(due)}" if now >= due else f"is due {_due_text(due)}"
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
