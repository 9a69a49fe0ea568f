"""Just-in-time review allocation with leases, rubric reviews, and the author's
helpfulness ratings.

Allocation is serialised per activity by locking the activity row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers anyway), so
reviewers opening "next review" at the same moment see each other's leases and
never pile onto one submission. The choice itself is the domain's
(``lti_app.domain.allocation.choose_submission``).

Side effects: inserts/updates rows and flushes; the request commits.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select

from lti_app.courses.models import Course, Person
from lti_app.db import utcnow
from lti_app.domain.allocation import (
    AllocationError,
    SubmissionState,
    allocate_batch,
    choose_submission,
)
from lti_app.domain.peer_grades import GradeError
from lti_app.extensions import db
from lti_app.peer_activities.grouping.cohort import load_cohort
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import phases
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.models import (
    DONE,
    LEASED,
    PeerReviewReview,
    PeerReviewSubmission,
)
from lti_app.peer_activities.peer_review.submissions import PeerReviewError
from lti_app.peer_activities.rich_text import rich_text

log = logging.getLogger(__name__)
_rng = random.SystemRandom()


def k_of(activity: Activity) -> int:
    return int(activity.settings.get("reviews_per_submission", 3))


def lease_of(activity: Activity) -> timedelta:
    return timedelta(minutes=int(activity.settings.get("lease_minutes", 120)))


def is_live(review: PeerReviewReview, now: datetime) -> bool:
    """Done, or leased and the lease not yet run out."""
    return review.status == DONE or (review.lease_until is not None and review.lease_until > now)


def reviews_by(activity: Activity, person: Person) -> list[PeerReviewReview]:
    """A reviewer's reviews in this activity (done and leased), oldest first."""
    return list(db.session.scalars(
        select(PeerReviewReview).where(PeerReviewReview.activity_id == activity.id,
                                       PeerReviewReview.reviewer_id == person.id)
        .order_by(PeerReviewReview.id)))


def reviews_of(activity: Activity) -> list[PeerReviewReview]:
    return list(db.session.scalars(
        select(PeerReviewReview).where(PeerReviewReview.activity_id == activity.id)
        .order_by(PeerReviewReview.id)))


def quota(activity: Activity, n_learners: int) -> int:
    """How many reviews a learner owes (and a submission should get): k, or fewer
    in a cohort too small to have k others."""
    return max(0, min(k_of(activity), n_learners - 1))


def next_review(activity: Activity, person: Person, *, staff: bool = False,
                volunteer: bool = False, rng: random.Random | None = None) -> PeerReviewReview:
    """The reviewer's open review, else a newly leased one on the submission that
    most needs a review. Learners must have submitted first and get at most their
    quota unless they volunteer; staff are the fallback and may always take one.

    Side effects: locks the activity row until commit; inserts or renews a lease.
    """
    # What does not depend on who holds which review is read before the lock, so
    # reviewers opening at the same moment queue only for the allocation itself.
    forbidden = must_not_review(activity)
    n_learners = len(subs.learners(activity))
    db.session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    now = utcnow()
    subs.criteria(activity)  # the rubric exists (the default one, if none) before anyone reviews
    mine = reviews_by(activity, person)
    for review in mine:
        if review.status == LEASED:
            renewed = now + lease_of(activity)  # resume (and renew) it
            if review.lease_until is None or review.lease_until < renewed:
                review.lease_until = renewed
            db.session.flush()
            return review
    pool = subs.submissions(activity)
    own = any(s.author_id == person.id for s in pool)
    is_learner = not staff
    if is_learner and not own:
        raise PeerReviewError("Submit your own work first; then you can review your peers'.")
    done = sum(1 for r in mine if r.status == DONE)
    owed = quota(activity, n_learners)
    if is_learner and not volunteer and done >= owed:
        raise PeerReviewError("You have done all the reviews you owe. Thank you!")
    live: dict[int, tuple[int, int]] = {}
    for review in reviews_of(activity):
        completed, in_progress = live.get(review.submission_id, (0, 0))
        if review.status == DONE:
            completed += 1
        elif is_live(review, now):
            in_progress += 1
        live[review.submission_id] = (completed, in_progress)
    states = [SubmissionState(str(s.id), frozenset({str(s.author_id)}), s.submitted_at,
                              *live.get(s.id, (0, 0))) for s in pool]
    choice = choose_submission(str(person.id), states, k=k_of(activity),
                               forbidden=forbidden,
                               already={str(r.submission_id) for r in mine},
                               rng=rng or _rng)
    if choice.submission is None:
        raise PeerReviewError("There is no submission you can review right now. Try again "
                              "later.")
    chosen = next(s for s in pool if str(s.id) == choice.submission)
    review = PeerReviewReview(activity_id=activity.id, submission_id=chosen.id,
                              reviewer_id=person.id, author_id=chosen.author_id,
                              status=LEASED, lease_until=now + lease_of(activity))
    db.session.add(review)
    db.session.flush()
    log.info("peer review %s: review %s leased (%s)", activity.public_id, review.public_id,
             choice.reason)
    return review


def must_not_review(activity: Activity) -> frozenset[tuple[str, str]]:
    """Manager/report pairs of the course (intake answers and imported reporting
    lines, as grouping resolves them), as person-id pairs: neither reviews the
    other (status dynamics: people do not write candidly about their boss's work,
    and a boss's review of a report is not a peer review)."""
    if activity.course_id is None:
        return frozenset()
    course = db.session.get(Course, activity.course_id)
    if course is None:
        return frozenset()
    lines = load_cohort(course).reporting_lines
    if not lines:
        return frozenset()
    ids: dict[str, int] = {pid: pk for pid, pk in db.session.execute(
        select(Person.public_id, Person.id).where(
            Person.registration_id == activity.registration_id,
            Person.public_id.in_(set(lines) | set(lines.values()))))}
    return frozenset((str(ids[a]), str(ids[b])) for a, b in lines.items()
                     if a in ids and b in ids)


def review_for_reviewer(activity: Activity, person: Person,
                        review_id: str) -> PeerReviewReview | None:
    """A review by its public id, only if it is this person's (else None: a review
    you were not allocated does not exist for you)."""
    found: PeerReviewReview | None = db.session.scalar(
        select(PeerReviewReview).where(PeerReviewReview.public_id == review_id,
                                       PeerReviewReview.activity_id == activity.id,
                                       PeerReviewReview.reviewer_id == person.id))
    return found


def review_for_author(activity: Activity, person: Person,
                      review_id: str) -> PeerReviewReview | None:
    """A done review of this person's submission, by public id."""
    found: PeerReviewReview | None = db.session.scalar(
        select(PeerReviewReview).join(PeerReviewSubmission)
        .where(PeerReviewReview.public_id == review_id,
               PeerReviewReview.activity_id == activity.id,
               PeerReviewReview.status == DONE,
               PeerReviewSubmission.author_id == person.id))
    return found


def submit_review(activity: Activity, review: PeerReviewReview, points: Mapping[str, float],
                  comment: str) -> PeerReviewReview:
    """Save the rubric scores and comment; the review is done. Scores out of a
    criterion's range, missing or unknown criteria, and an empty overall comment are
    refused with a message. A review whose lease ran out is still accepted (the
    submission just gets an extra review)."""
    if review.status == DONE:
        raise PeerReviewError("This review is already submitted.")
    rows = subs.criteria(activity)
    names = {c.public_id: c.name for c in rows}
    try:
        total = subs.rubric_of(rows).total(points)
    except GradeError as exc:
        text = str(exc)
        for pid, name in names.items():
            text = text.replace(pid, f"“{name}”")
        raise PeerReviewError(text[0].upper() + text[1:] + ".") from exc
    cleaned = rich_text(comment, limit=20000)
    if not cleaned:
        raise PeerReviewError("Write an overall comment for the author.")
    review.scores = {k: float(v) for k, v in points.items()}
    review.total = total
    review.comment = cleaned
    review.status = DONE
    review.lease_until = None
    review.completed_at = utcnow()
    db.session.flush()
    log.info("peer review %s: review %s done", activity.public_id, review.public_id)
    return review


def rate_review(review: PeerReviewReview, stars: int, comment: str) -> PeerReviewReview:
    """The author's helpfulness rating (1–5) of a review of their work."""
    if not 1 <= stars <= 5:
        raise PeerReviewError("Rate helpfulness from 1 to 5 stars.")
    review.helpfulness = stars
    review.helpfulness_comment = rich_text(comment, limit=5000)
    review.rated_at = utcnow()
    db.session.flush()
    return review


def is_reviewer_of(sub: PeerReviewSubmission, person: Person) -> bool:
    """Whether ``person`` was allocated ``sub`` (leased or done)."""
    found = db.session.scalar(select(PeerReviewReview.id).where(
        PeerReviewReview.submission_id == sub.id, PeerReviewReview.reviewer_id == person.id))
    return found is not None


#: How long batch-allocated reviews are held when the review phase has no due date.
BATCH_HOLD = timedelta(days=7)


def allocate_all(activity: Activity, *, rng: random.Random | None = None) -> tuple[str, ...]:
    """Batch mode, at a deadline: every submission gets k reviewers among the
    authors, loads within one of each other (``allocate_batch``). Only before any
    review exists (the batch starts from scratch). Reviews are leased until the
    review due date (or a week); late submissions that arrive afterwards are served
    just in time. Returns the allocator's explanation.

    Side effects: locks the activity row; inserts leased reviews.
    """
    db.session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    if reviews_of(activity):
        raise PeerReviewError("Reviews have already started; the rest are allocated just in "
                              "time as reviewers open them.")
    pool = subs.submissions(activity)
    if len(pool) < 2:
        raise PeerReviewError("At least two submissions are needed to allocate reviews.")
    k = min(k_of(activity), len(pool) - 1)
    states = [SubmissionState(str(s.id), frozenset({str(s.author_id)}), s.submitted_at)
              for s in pool]
    try:
        result = allocate_batch(states, [str(s.author_id) for s in pool], k=k,
                                forbidden=must_not_review(activity), rng=rng or _rng)
    except AllocationError as exc:
        raise PeerReviewError(exc.reason) from exc
    now = utcnow()
    due = phases.parse_due(activity.settings.get("review_due"))
    until = due if due is not None and due > now else now + BATCH_HOLD
    by_id = {str(s.id): s for s in pool}
    for reviewer, sid in result.pairs():
        sub = by_id[sid]
        db.session.add(PeerReviewReview(activity_id=activity.id, submission_id=sub.id,
                                        reviewer_id=int(reviewer), author_id=sub.author_id,
                                        status=LEASED, lease_until=until))
    db.session.flush()
    log.info("peer review %s: batch allocation (%s)", activity.public_id,
             " ".join(result.explain()))
    return result.explain()
