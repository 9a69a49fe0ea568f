"""Submissions short of their k reviews, and the instructor's remedies.

While reviews are open, the dashboard names the submissions that peers can never
bring to k (too few learners may review them). Once the review phase closes
(its due date passes, or the instructor ends it), every submission still below k
is listed with why, and three remedies apply to it in one click each: offer it
to volunteers (learners who finished their own reviews take it), review it as
staff, or accept fewer reviews for it (its grade is computed on the reviews it
has, and flagged). The domain explains each case
(``lti_app.domain.allocation.shortfalls``).

Side effects: the remedies write rows and flush; the request commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.domain.allocation import Shortfall, shortfalls
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import phases
from lti_app.peer_activities.peer_review import reviews as rv
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.models import (
    DONE,
    LEASED,
    PeerReviewProgress,
    PeerReviewReview,
    PeerReviewSubmission,
)
from lti_app.peer_activities.peer_review.submissions import PeerReviewError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShortRow:
    """A short submission as the instructor sees it (names: staff only)."""

    submission: PeerReviewSubmission
    authors: str
    gap: Shortfall

    @property
    def offered(self) -> bool:
        return self.submission.volunteers_offered_at is not None

    @property
    def accepted(self) -> bool:
        return self.submission.fewer_accepted_at is not None


def reviews_closed(activity: Activity, now: datetime | None = None) -> bool:
    """The review phase is over: its due date has passed (or the instructor ended it)."""
    return phases.reviews_closed_by_hand(activity.settings) or phases.overdue(
        activity.settings, phases.REVIEW, now or utcnow()
    )


def _gaps(activity: Activity, *, unavoidable_only: bool) -> list[ShortRow]:
    now = utcnow()
    states = rv.pool_states(activity, now)
    if not states:
        return []
    reviewed: dict[str, set[str]] = {}
    for sid, reviewer, status, until in db.session.execute(
        select(
            PeerReviewReview.submission_id,
            PeerReviewReview.reviewer_id,
            PeerReviewReview.status,
            PeerReviewReview.lease_until,
        ).where(PeerReviewReview.activity_id == activity.id)
    ):
        if status == DONE or (status == LEASED and until is not None and until > now):
            reviewed.setdefault(str(sid), set()).add(str(reviewer))
    people = subs.learners(activity)
    if unavoidable_only:  # while open: anyone enrolled may still hand in and review
        reviewers = [str(p.id) for p in people]
    else:  # at the close: only those who can review (they handed in, or were moved on)
        moved = set(
            db.session.scalars(
                select(PeerReviewProgress.person_id).where(
                    PeerReviewProgress.activity_id == activity.id,
                    PeerReviewProgress.moved_on_at.is_not(None),
                )
            )
        )
        members = {pid for pids in subs.members(activity).values() for pid in pids}
        reviewers = [str(p.id) for p in people if p.id in members or p.id in moved]
    found = shortfalls(
        states,
        reviewers,
        k=rv.k_of(activity),
        forbidden=rv.must_not_review(activity),
        reviewed=reviewed,
        unavoidable_only=unavoidable_only,
    )
    if not found:
        return []
    rows = {
        s.id: s
        for s in db.session.scalars(
            select(PeerReviewSubmission).where(
                PeerReviewSubmission.id.in_([int(g.submission) for g in found])
            )
        )
    }
    owners = subs.members(activity)
    names = {p.id: p.display_name for p in people}
    out = []
    for gap in found:
        sub = rows[int(gap.submission)]
        authors = ", ".join(
            sorted(
                names.get(pid, "a former learner") for pid in owners.get(sub.id, {sub.author_id})
            )
        )
        out.append(ShortRow(sub, authors, gap))
    return out


def short_of_reviews(activity: Activity) -> list[ShortRow]:
    """Every submission below k (completed + live leases), oldest first."""
    return _gaps(activity, unavoidable_only=False)


def never_reaching_k(activity: Activity) -> list[ShortRow]:
    """Submissions fewer than k learners may review: short whatever anyone does."""
    return [r for r in _gaps(activity, unavoidable_only=True) if r.gap.completed < r.gap.k]


def end_reviews(activity: Activity) -> None:
    """The instructor closes the review phase now: its due date (and the
    submission phase's, if later or unset) becomes now; late work is still
    accepted, as after any due date."""
    if reviews_closed(activity):
        raise PeerReviewError("The review phase has already closed.")
    now = utcnow().strftime("%Y-%m-%dT%H:%M")
    changes = {"review_due": now}
    due = phases.parse_due(activity.settings.get("submission_due"))
    if due is None or due > utcnow():  # reviews over means hand-in is over too
        changes["submission_due"] = now
    subs.update_settings(activity, changes)
    log.info("peer review %s: review phase ended by the instructor", activity.public_id)


def _pick(rows: list[ShortRow], ids: list[str] | None) -> list[ShortRow]:
    if ids is None:
        return rows
    wanted = set(ids)
    return [r for r in rows if r.submission.public_id in wanted]


def offer_to_volunteers(activity: Activity, ids: list[str] | None = None) -> int:
    """Offer the short submissions (or those of ``ids``) to volunteers: learners
    who finished their reviews see them first under "Review one more". Returns
    how many were offered."""
    rows = [r for r in _pick(short_of_reviews(activity), ids) if not r.accepted]
    if not rows:
        raise PeerReviewError("No submission is short of reviews any more.")
    now = utcnow()
    for r in rows:
        r.submission.volunteers_offered_at = now
    db.session.flush()
    log.info(
        "peer review %s: %d short submission(s) offered to volunteers",
        activity.public_id,
        len(rows),
    )
    return len(rows)


def accept_fewer(activity: Activity, by: Person, ids: list[str] | None = None) -> int:
    """Accept fewer than k reviews for the short submissions (or those of ``ids``):
    their grades are computed on the reviews they have, and flagged. Returns how
    many were accepted."""
    rows = [r for r in _pick(short_of_reviews(activity), ids) if not r.accepted]
    if not rows:
        raise PeerReviewError("No submission is short of reviews any more.")
    now = utcnow()
    for r in rows:
        r.submission.fewer_accepted_at = now
        r.submission.fewer_accepted_by_id = by.id
    db.session.flush()
    log.info(
        "peer review %s: fewer reviews accepted for %d submission(s) by %s",
        activity.public_id,
        len(rows),
        by.public_id,
    )
    return len(rows)


def staff_review(activity: Activity, person: Person, submission_id: str) -> PeerReviewReview:
    """Staff review one short submission themselves: their open review of it, or
    a new lease on it. Refused once it has its k reviews."""
    sub = subs.submission_by_id(activity, submission_id)
    if sub is None:
        raise PeerReviewError("That submission is not in this activity.")
    mine: PeerReviewReview | None = db.session.scalar(
        select(PeerReviewReview).where(
            PeerReviewReview.submission_id == sub.id, PeerReviewReview.reviewer_id == person.id
        )
    )
    if mine is not None:
        if mine.status == DONE:
            raise PeerReviewError("You have already reviewed this submission.")
        mine.lease_until = utcnow() + rv.lease_of(activity)
        db.session.flush()
        return mine
    if person.id in subs.members(activity).get(sub.id, {sub.author_id}):
        raise PeerReviewError("You cannot review your own submission.")
    if not any(r.submission.id == sub.id for r in short_of_reviews(activity)):
        raise PeerReviewError(
            f"This submission has its {rv.k_of(activity)} reviews now; there is nothing to add."
        )
    subs.ensure_criteria(activity)
    review = PeerReviewReview(
        activity_id=activity.id,
        submission_id=sub.id,
        reviewer_id=person.id,
        author_id=sub.author_id,
        status=LEASED,
        lease_until=utcnow() + rv.lease_of(activity),
    )
    db.session.add(review)
    db.session.flush()
    log.info(
        "peer review %s: staff review %s of a short submission",
        activity.public_id,
        review.public_id,
    )
    return review


def offered_to(activity: Activity, person: Person) -> int:
    """How many submissions offered to volunteers still lack reviews and are not
    this person's or already reviewed by them (one query; for learners who
    finished their own reviews)."""
    done = (
        select(func.count())
        .where(
            PeerReviewReview.submission_id == PeerReviewSubmission.id,
            PeerReviewReview.status == DONE,
        )
        .scalar_subquery()
    )
    mine = select(PeerReviewReview.submission_id).where(
        PeerReviewReview.activity_id == activity.id, PeerReviewReview.reviewer_id == person.id
    )
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(PeerReviewSubmission)
            .where(
                PeerReviewSubmission.activity_id == activity.id,
                PeerReviewSubmission.volunteers_offered_at.is_not(None),
                PeerReviewSubmission.fewer_accepted_at.is_(None),
                ~subs.owned_by(activity, person),
                PeerReviewSubmission.id.not_in(mine),
                done < rv.k_of(activity),
            )
        )
        or 0
    )
