"""Launch notices: what a learner owes in the course's peer reviews, shown at every
launch.

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

The e-mail reminders before a due date are in ``reminders``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import Integer, String, bindparam, cast, func, select

from lti_app.courses.models import Enrolment
from lti_app.db import utcnow
from lti_app.domain.roles import LEARNER
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


def due_text(due: datetime) -> str:
    """A due date as the notices and reminder e-mails print it."""
    return due.strftime("%d %b %Y %H:%M") + " UTC"


def review_quota(settings: dict[str, Any], n_learners: int) -> int:
    """Reviews a learner owes (as ``reviews.quota``: k, fewer in a tiny cohort); the
    notices and the reminder e-mails count alike."""
    return max(0, min(int(settings.get("reviews_per_submission", 3)), n_learners - 1))


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
    they submitted and there is someone else's work they have not reviewed yet.
    Only what the phase set by hand allows is owed (``phases.RULES``), and ratings
    only of reviews the author sees (``phases.revealed``; the unrated reviews are
    a lower bound of the done ones)."""
    if row.moved_on:
        return Owed(False, 0, 0)
    if row.own is None:
        return Owed(phases.allowed(settings, phases.SUBMIT), 0, 0)
    reviews = 0
    if n_learners is not None and phases.allowed(settings, phases.REVIEW_WORK):
        reviews = max(0, review_quota(settings, n_learners) - row.given)
        reviews = min(reviews, max(0, row.pool - 1 - row.given))
    ratings = row.unrated if settings.get("rate_feedback", True) else 0
    k = int(settings.get("reviews_per_submission", 3))
    if ratings and not (
        phases.allowed(settings, phases.RESPOND)
        and phases.revealed(settings, utcnow(), done=ratings, k=k, fewer_accepted=False)
    ):
        ratings = 0
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
                    f"Submit your work for {title}" + (f" (due {due_text(due)})" if due else ""),
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
                    (f"Reviews were due {due_text(due)}." if late else f"Due {due_text(due)}.")
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
