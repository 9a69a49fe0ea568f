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

import functools
import logging
import random
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import change_stamps, utcnow
from lti_app.domain.allocation import (
    AllocationError,
    SubmissionState,
    allocate_batch,
    choose_submission,
)
from lti_app.domain.peer_grades import GradeError
from lti_app.extensions import db
from lti_app.peer_activities.grouping.cohort import load_cohort
from lti_app.peer_activities.grouping.models import GroupingIntake, GroupingReportingLine
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import groups, phases
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.levels import points_problem
from lti_app.peer_activities.peer_review.models import (
    DONE,
    LEASED,
    PeerReviewCriterion,
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


def reviewed_by(activity: Activity, person: Person) -> list[str]:
    """Ids (as the allocator names them) of the submissions a reviewer reviewed or holds."""
    return [str(sid) for sid in db.session.scalars(
        select(PeerReviewReview.submission_id).where(
            PeerReviewReview.activity_id == activity.id,
            PeerReviewReview.reviewer_id == person.id))]


def reviews_of(activity: Activity) -> list[PeerReviewReview]:
    return list(db.session.scalars(
        select(PeerReviewReview).where(PeerReviewReview.activity_id == activity.id)
        .order_by(PeerReviewReview.id)))


def quota(activity: Activity, n_units: int) -> int:
    """How many reviews a learner owes: k, or fewer when there are not k other
    submissions to review (``n_units``: the learners, or the groups in group mode;
    see ``submissions.unit_count``)."""
    return max(0, min(k_of(activity), n_units - 1))


#: Re-reads of the pool before "open next review" gives up under contention.
_ATTEMPTS = 60
#: Pause before looking again when every equally needy submission is being claimed.
_BACKOFF_S = 0.003
#: After a collision, draw among this many of the oldest equally needy
#: submissions (see ``choose_submission``), so reviewers opening at once stop
#: reaching for the same one; uncontended, the oldest is always taken.
_SPREAD = 8


def next_review(activity: Activity, person: Person, *, staff: bool = False,
                volunteer: bool = False, rng: random.Random | None = None) -> PeerReviewReview:
    """The reviewer's open review, else a newly leased one on the submission that
    most needs a review. Learners must have submitted first and get at most their
    quota unless they volunteer; staff are the fallback and may always take one.

    This is the hot path of a review phase (everyone opens "next review" within
    minutes), so nothing serialises the whole activity: the review counts are
    aggregated in the database, the choice is made on that snapshot, and only the
    chosen submission's row is locked to check that its count has not moved since
    (else the snapshot is read again). Counts only grow, so the submission chosen
    is still one of those that need a review most when the lease is written, and
    two reviewers never take the same slot. A reviewer's own requests (a double
    click) are serialised by a per-reviewer lock.

    Side effects: takes row/advisory locks until commit; inserts or renews a lease.
    """
    is_learner = not staff
    has_own, has_rubric, n_learners, fingerprint = _preflight(activity, person)
    if is_learner and not has_own:
        raise PeerReviewError("Submit your own work first; then you can review your peers'.")
    forbidden = must_not_review(activity, fingerprint=fingerprint)
    if not has_rubric:
        subs.ensure_criteria(activity)  # the default rubric, before any review
    _enter_allocation(activity, person)
    now = utcnow()
    mine = db.session.execute(
        select(PeerReviewReview.id, PeerReviewReview.submission_id, PeerReviewReview.status,
               PeerReviewReview.lease_until)
        .where(PeerReviewReview.activity_id == activity.id,
               PeerReviewReview.reviewer_id == person.id)).all()
    lapsed = [row for row in mine if row.status == LEASED
              and (row.lease_until is None or row.lease_until <= now)]
    if lapsed:
        # Its slot went back to the pool when the lease ran out and may be taken
        # by now: let it go and choose afresh (it may well be chosen again).
        # Nothing is lost: a review is only written when it is submitted.
        db.session.execute(delete(PeerReviewReview).where(
            PeerReviewReview.id.in_([row.id for row in lapsed])))
        mine = [row for row in mine if row not in lapsed]
    for row in mine:
        if row.status == LEASED:  # resume (and renew) it
            review = db.session.get(PeerReviewReview, row.id)
            assert review is not None
            renewed = now + lease_of(activity)
            if review.lease_until is None or review.lease_until < renewed:
                review.lease_until = renewed
            db.session.flush()
            return review
    done = sum(1 for r in mine if r.status == DONE)
    group_mode = groups.group_mode(activity)
    if is_learner and not volunteer and done >= quota(
            activity, subs.unit_count(activity) if group_mode else n_learners):
        raise PeerReviewError("You have done all the reviews you owe. Thank you!")
    already = {str(r.submission_id) for r in mine}
    k = k_of(activity)
    # A review a learner owes never gives a submission more than k: owed reviews
    # and needed reviews stay equal, so one spent beyond k now would be missing
    # from a later submission. Volunteers and staff may go beyond k, but only once
    # every submission open to them has k. (With group submissions, every member
    # owes reviews for one submission per group, so more reviews are owed than
    # needed and the extra ones go where they are needed least.)
    owed_only = is_learner and not volunteer and not group_mode
    states = pool_states(activity, now)
    index = {st.id: i for i, st in enumerate(states)}
    skipped: list[SubmissionState] = []
    for _attempt in range(_ATTEMPTS):
        choice = choose_submission(str(person.id), states, k=k, forbidden=forbidden,
                                   already=already | {st.id for st in skipped},
                                   rng=rng or _rng, spread=_SPREAD if _attempt else 1,
                                   allow_extra=not owed_only)
        seen = states[index[choice.submission]] if choice.submission is not None else None
        if skipped and (seen is None or _need(seen) > _need(skipped[0])):
            # Every submission that needs a review as much is being claimed at this
            # moment: let those claims finish, then look again, rather than take a
            # less needy one (no waiting on a row lock, so no lock cycles).
            time.sleep(_BACKOFF_S * (1 + _rng.random()))
            states = pool_states(activity, now)
            index = {st.id: i for i, st in enumerate(states)}
            skipped = []
            continue
        if seen is None:
            raise PeerReviewError(_nothing_to_review(str(person.id), states, already,
                                                     forbidden, k))
        claim = _claim_if_unchanged(int(seen.id), seen, now)
        if claim is _LOCKED:
            skipped.append(seen)
            continue
        if claim is _CHANGED:
            # Another reviewer took a slot on it since the snapshot (and others
            # probably took the next ones too): read the pool again.
            states = pool_states(activity, now)
            index = {st.id: i for i, st in enumerate(states)}
            skipped = []
            continue
        assert isinstance(claim, int)
        review = PeerReviewReview(activity_id=activity.id, submission_id=int(seen.id),
                                  reviewer_id=person.id, author_id=claim,
                                  status=LEASED, lease_until=now + lease_of(activity))
        db.session.add(review)
        db.session.flush()
        log.info("peer review %s: review %s leased (%s)", activity.public_id,
                 review.public_id, choice.reason)
        return review
    log.warning("peer review %s: no lease for %s after %d attempts (contention)",
                activity.public_id, person.public_id, _ATTEMPTS)
    raise PeerReviewError("Many reviewers are opening reviews at this moment. Try again in a "
                          "few seconds.")


def _nothing_to_review(reviewer: str, states: list[SubmissionState], already: set[str],
                       forbidden: frozenset[tuple[str, str]], k: int) -> str:
    """Why a reviewer has nothing to review, in their words."""
    open_ = [st for st in states if st.id not in already and reviewer not in st.authors
             and not any((reviewer, a) in forbidden or (a, reviewer) in forbidden
                         for a in st.authors)]
    if open_:  # all of them have k reviews (done or in progress) for now
        return (f"Every submission you can review has its {k} reviews for now. When more "
                "work comes in, it will be here for you; if none does before reviews close, "
                "there is nothing more you need to do.")
    blocked = [st for st in states if st.id not in already and reviewer not in st.authors
               and any((reviewer, a) in forbidden or (a, reviewer) in forbidden
                       for a in st.authors)]
    if blocked:
        return ("The only work left for you to review is by your manager or by someone who "
                "reports to you, and peers in a reporting line never review each other. "
                "Your instructor can review that work instead, or move you on; there is "
                "nothing you need to do.")
    return "There is no submission you can review right now. Try again later."


_LOCKED = object()
_CHANGED = object()


def _need(state: SubmissionState) -> tuple[int, int]:
    """How little review a submission has (lower needs it more)."""
    return state.completed + state.in_progress, state.completed


@functools.cache
def _claim_stmt() -> Any:
    """Built once: lock a submission's row unless another reviewer holds it, with
    its completed reviews and live leases."""
    review = PeerReviewReview
    sub_id: Any = bindparam("submission")
    completed = select(func.count()).where(review.submission_id == sub_id,
                                           review.status == DONE).scalar_subquery()
    live = select(func.count()).where(review.submission_id == sub_id,
                                      review.status == LEASED,
                                      review.lease_until > bindparam("now")).scalar_subquery()
    return (select(PeerReviewSubmission.author_id, completed, live)
            .where(PeerReviewSubmission.id == sub_id)
            .with_for_update(of=PeerReviewSubmission, key_share=True, skip_locked=True))


def _claim_if_unchanged(submission_id: int, seen: SubmissionState, now: datetime) -> object:
    """Lock the submission's row, unless another reviewer holds it (``_LOCKED``),
    and return its author's id if its counts are still as ``seen`` (else
    ``_CHANGED``). One statement. A row whose counts moved stays locked until this
    transaction ends; others skip it meanwhile, which costs them nothing."""
    row = db.session.execute(_claim_stmt(), {"submission": submission_id, "now": now}).first()
    if row is None:
        return _LOCKED
    if (int(row[1]), int(row[2])) != (seen.completed, seen.in_progress):
        return _CHANGED
    return int(row[0])


def _preflight(activity: Activity, person: Person) -> tuple[bool, bool, int, tuple[Any, ...]]:
    """In one query: whether ``person`` has a submission here (authored or as a
    group member), whether the rubric exists, how many learners the course has
    (what a learner owes depends on it), and the must-not-review pairs'
    fingerprint."""
    own = select(PeerReviewSubmission.id).where(
        PeerReviewSubmission.activity_id == activity.id,
        subs.owned_by(activity, person)).limit(1).exists()
    rubric = select(PeerReviewCriterion.id).where(
        PeerReviewCriterion.activity_id == activity.id).limit(1).exists()
    row = db.session.execute(select(own, rubric, subs.learner_count_column(activity),
                                    *_pairs_columns(activity.course_id))).one()
    return bool(row[0]), bool(row[1]), int(row[2] or 0), tuple(row[3:])


def _enter_allocation(activity: Activity, person: Person) -> None:
    """Share the activity (a batch allocation, which takes it exclusively, waits
    for the allocations in flight, and they for it) and hold this reviewer's
    advisory lock (one allocation at a time per reviewer: a double click gets
    one lease), in one statement on PostgreSQL; SQLite serialises writers."""
    if db.engine.dialect.name != "postgresql":
        return
    db.session.execute(
        select(Activity.id, func.pg_advisory_xact_lock(
            _ADVISORY_NAMESPACE ^ (activity.id & 0x7FFFFFFF), person.id & 0x7FFFFFFF))
        .where(Activity.id == activity.id).with_for_update(read=True))


#: Keeps these advisory lock keys apart from any other use of the two-key form.
_ADVISORY_NAMESPACE = 0x5052  # "PR"


def lock_activity(activity: Activity) -> None:
    """Hold the activity exclusively until commit (batch allocation, the default
    rubric). ``FOR NO KEY UPDATE``: rows inserted elsewhere that point at the
    activity take ``FOR KEY SHARE`` on it, which this must not wait on."""
    db.session.execute(select(Activity.id).where(Activity.id == activity.id)
                       .with_for_update(key_share=True))


@functools.cache
def _pool_stmt() -> Any:
    """Built once (the hot path pays only for binding): every submission of an
    activity with its completed reviews and live leases at ``now``."""
    live = case((PeerReviewReview.status == DONE, 0),
                (PeerReviewReview.lease_until > bindparam("now"), 1), else_=0)
    return (select(PeerReviewSubmission.id, PeerReviewSubmission.author_id,
                   PeerReviewSubmission.submitted_at,
                   func.count(case((PeerReviewReview.status == DONE, 1))),
                   func.coalesce(func.sum(live), 0))
            .outerjoin(PeerReviewReview,
                       PeerReviewReview.submission_id == PeerReviewSubmission.id)
            .where(PeerReviewSubmission.activity_id == bindparam("activity"))
            .group_by(PeerReviewSubmission.id, PeerReviewSubmission.author_id,
                      PeerReviewSubmission.submitted_at))


def pool_states(activity: Activity, now: datetime) -> list[SubmissionState]:
    """Every submission as the allocator sees it: its authors (every member of a
    group submission), completed reviews and live leases, counted in the database."""
    rows = db.session.execute(_pool_stmt(), {"activity": activity.id, "now": now}).all()
    members = subs.coauthors(activity) if groups.group_mode(activity) else {}
    return [SubmissionState(str(sid), frozenset({str(author), *members.get(sid, ())}),
                            submitted, int(completed), int(in_progress))
            for sid, author, submitted, completed, in_progress in rows]


#: (course id) -> (fingerprint, pairs): the manager/report pairs of a course, kept
#: until anything they are computed from changes.
_PAIRS: dict[int, tuple[tuple[Any, ...], frozenset[tuple[str, str]]]] = {}
_PAIRS_LOCK = threading.Lock()
_PAIRS_MAX = 512


def _pairs_columns(course_id: int | None) -> list[Any]:
    """What the pairs depend on (intakes, imported lines, the roster), as scalar
    subqueries to select."""
    return change_stamps(*((model, model.course_id == course_id)
                           for model in (GroupingIntake, GroupingReportingLine, Enrolment)))


def _pairs_fingerprint(course_id: int) -> tuple[Any, ...]:
    return tuple(db.session.execute(select(*_pairs_columns(course_id))).one())


def must_not_review(activity: Activity, *,
                    fingerprint: tuple[Any, ...] | None = None) -> frozenset[tuple[str, str]]:
    """Manager/report pairs of the course (intake answers and imported reporting
    lines, as grouping resolves them), as person-id pairs: neither reviews the
    other (status dynamics: people do not write candidly about their boss's work,
    and a boss's review of a report is not a peer review).

    Resolving them reads the whole cohort, so the result is cached per course and
    re-read whenever an intake, an imported line or the roster changes."""
    if activity.course_id is None:
        return frozenset()
    if fingerprint is None:
        fingerprint = _pairs_fingerprint(activity.course_id)
    cached = _PAIRS.get(activity.course_id)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    pairs = _load_pairs(activity)
    with _PAIRS_LOCK:
        if len(_PAIRS) >= _PAIRS_MAX:
            _PAIRS.clear()
        _PAIRS[activity.course_id] = (fingerprint, pairs)
    return pairs


def _load_pairs(activity: Activity) -> frozenset[tuple[str, str]]:
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
    """A done review of this person's submission (their own or their group's), by
    public id."""
    own = subs.own_submission_id(activity, person)
    if own is None:
        return None
    found: PeerReviewReview | None = db.session.scalar(
        select(PeerReviewReview)
        .where(PeerReviewReview.public_id == review_id,
               PeerReviewReview.activity_id == activity.id,
               PeerReviewReview.status == DONE,
               PeerReviewReview.submission_id == own))
    return found


def submit_review(activity: Activity, review: PeerReviewReview, points: Mapping[str, float],
                  comment: str, criterion_comments: Mapping[str, str] | None = None
                  ) -> PeerReviewReview:
    """Save the rubric scores, the comments on criteria and the overall comment;
    the review is done. Refused with a message: scores out of a criterion's range
    or (when it has levels) not one of its levels, missing or unknown criteria, a
    missing comment on a criterion that requires one, an empty overall comment. A
    review whose lease ran out is still accepted (the submission just gets an
    extra review)."""
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
    for c in rows:
        problem = points_problem(c.name, c.levels, c.max_points, float(points[c.public_id]))
        if problem:
            raise PeerReviewError(problem)
    typed = criterion_comments or {}
    unknown = set(typed) - set(names)
    if unknown:
        raise PeerReviewError("A comment was given on a criterion that is not in the rubric.")
    notes = {pid: rich_text(typed.get(pid, ""), limit=5000) for pid in names}
    missing = [c.name for c in rows if c.comment_required and not notes[c.public_id]]
    if missing:
        raise PeerReviewError("Explain your score on " + ", ".join(
            f"“{name}”" for name in missing) + " in a comment.")
    cleaned = rich_text(comment, limit=20000)
    if not cleaned:
        raise PeerReviewError("Write an overall comment for the author.")
    review.scores = {k: float(v) for k, v in points.items()}
    review.criterion_comments = {pid: text for pid, text in notes.items() if text}
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
    authors (every member of a group submission reviews on their own, never their
    group's work), loads within one of each other (``allocate_batch``). Only before any
    review exists (the batch starts from scratch). Reviews are leased until the
    review due date (or a week); late submissions that arrive afterwards are served
    just in time. Returns the allocator's explanation.

    Side effects: locks the activity row; inserts leased reviews.
    """
    lock_activity(activity)
    if reviews_of(activity):
        raise PeerReviewError("Reviews have already started; the rest are allocated just in "
                              "time as reviewers open them.")
    pool = subs.submissions(activity)
    if len(pool) < 2:
        raise PeerReviewError("At least two submissions are needed to allocate reviews.")
    k = min(k_of(activity), len(pool) - 1)
    members = subs.coauthors(activity)
    states = [SubmissionState(str(s.id), frozenset({str(s.author_id), *members.get(s.id, ())}),
                              s.submitted_at) for s in pool]
    reviewers = sorted({a for st in states for a in st.authors}, key=int)
    try:
        result = allocate_batch(states, reviewers, k=k,
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
