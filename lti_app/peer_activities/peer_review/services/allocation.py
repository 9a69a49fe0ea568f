"""Just-in-time review allocation with leases: "start next review".

``next_review`` reads top-down: each step it takes is a function defined below
it, in the order it calls them. What it needs from elsewhere are leaf reads with
no way back here: the pool of submissions as the allocator sees it and claiming
one of them (``pool``; ``pool_states`` is importable from here too), who owns
what (``roster``), the default rubric (``rubric``), who must not review whom
(``reporting_lines``), the settings' numbers (``quota``), and the choice itself
(``lti_app.domain.allocation.choose_submission``).

Side effects: takes row/advisory locks until commit; inserts, renews or drops
leases and flushes; the request commits.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func, select

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.domain.allocation import SubmissionState, choose_submission
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import groups, phases
from lti_app.peer_activities.peer_review.models import (
    DONE,
    LEASED,
    PeerReviewCriterion,
    PeerReviewReview,
    PeerReviewSubmission,
)
from lti_app.peer_activities.peer_review.services import quota, reporting_lines, roster, rubric
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError
from lti_app.peer_activities.peer_review.services.pool import (
    CHANGED,
    LOCKED,
    claim_if_unchanged,
    need,
)
from lti_app.peer_activities.peer_review.services.pool import (
    pool_states as pool_states,  # re-exported: reviews and progress read the pool from here
)

log = logging.getLogger(__name__)
_rng = random.SystemRandom()

#: Re-reads of the pool before "open next review" gives up under contention.
_ATTEMPTS = 60
#: Pause before looking again when every equally needy submission is being claimed.
_BACKOFF_S = 0.003
#: After a collision, draw among this many of the oldest equally needy
#: submissions (see ``choose_submission``), so reviewers opening at once stop
#: reaching for the same one; uncontended, the oldest is always taken.
_SPREAD = 8


def next_review(
    activity: Activity,
    person: Person,
    *,
    staff: bool = False,
    volunteer: bool = False,
    rng: random.Random | None = None,
) -> PeerReviewReview:
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
    why = phases.refusal(activity.settings, phases.REVIEW_WORK) if is_learner else None
    if why:  # the phase set by hand (phases.RULES)
        raise PeerReviewError(why)
    facts = _preflight(activity, person)
    if is_learner and not facts.has_own:
        raise PeerReviewError("Submit your own work first; then you can review your peers'.")
    forbidden = reporting_lines.must_not_review(activity, fingerprint=facts.pairs_fingerprint)
    if not facts.has_rubric:
        rubric.ensure_criteria(activity)  # the default rubric, before any review
    if not facts.entered:
        _enter_allocation(activity, person)
    now = utcnow()
    mine = _drop_lapsed_leases(activity, person, now)
    held = _resume_lease(activity, mine, now)
    if held is not None:
        return held
    group_mode = groups.group_mode(activity)
    if is_learner and not volunteer:
        _check_still_owed(activity, mine, facts.n_learners, group_mode)
    # A review a learner owes never gives a submission more than k: owed reviews
    # and needed reviews stay equal, so one spent beyond k now would be missing
    # from a later submission. Volunteers and staff may go beyond k, but only once
    # every submission open to them has k. (With group submissions, every member
    # owes reviews for one submission per group, so more reviews are owed than
    # needed and the extra ones go where they are needed least.)
    owed_only = is_learner and not volunteer and not group_mode
    return _lease_neediest(
        activity,
        person,
        now,
        already={str(r.submission_id) for r in mine},
        forbidden=forbidden,
        allow_extra=not owed_only,
        rng=rng or _rng,
    )


class _Preflight(NamedTuple):
    has_own: bool
    has_rubric: bool
    n_learners: int
    pairs_fingerprint: tuple[Any, ...]
    #: The allocation's locks are held already (read with them on PostgreSQL).
    entered: bool = False


def _preflight(activity: Activity, person: Person) -> _Preflight:
    """In one query: whether ``person`` has a submission here (authored or as a
    group member), whether the rubric exists, how many learners the course has
    (what a learner owes depends on it), and the must-not-review pairs'
    fingerprint. On PostgreSQL, once the rubric exists, the same statement enters
    the allocation (``_enter_allocation``'s locks): one round trip fewer on the hot
    path; what it reads does not depend on the locks (the reviewer's own reviews
    are read after them)."""
    own = (
        select(PeerReviewSubmission.id)
        .where(PeerReviewSubmission.activity_id == activity.id, roster.owned_by(activity, person))
        .limit(1)
        .exists()
    )
    has_rubric = (
        select(PeerReviewCriterion.id)
        .where(PeerReviewCriterion.activity_id == activity.id)
        .limit(1)
        .exists()
    )
    figures = (
        own,
        has_rubric,
        roster.learner_count_column(activity),
        *reporting_lines.pairs_columns(activity.course_id),
    )
    if db.engine.dialect.name == "postgresql":
        # Only once the rubric exists: making it takes the activity's row lock,
        # which must come before the allocation's share lock (else two first
        # reviewers deadlock). Without a rubric no row comes back and nothing is
        # locked: the figures are read alone, as on other databases.
        entered = db.session.execute(
            _entering(activity, person).add_columns(*figures).where(has_rubric)
        ).one_or_none()
        if entered is not None:
            row = entered[2:]
            return _Preflight(bool(row[0]), bool(row[1]), int(row[2] or 0), tuple(row[3:]), True)
    row = db.session.execute(select(*figures)).one()
    return _Preflight(bool(row[0]), bool(row[1]), int(row[2] or 0), tuple(row[3:]))


def _entering(activity: Activity, person: Person) -> Any:
    """The statement of ``_enter_allocation`` (PostgreSQL)."""
    return (
        select(
            Activity.id,
            func.pg_advisory_xact_lock(
                _ADVISORY_NAMESPACE ^ (activity.id & 0x7FFFFFFF), person.id & 0x7FFFFFFF
            ),
        )
        .where(Activity.id == activity.id)
        .with_for_update(read=True)
    )


def _enter_allocation(activity: Activity, person: Person) -> None:
    """Share the activity (a batch allocation, which takes it exclusively, waits
    for the allocations in flight, and they for it) and hold this reviewer's
    advisory lock (one allocation at a time per reviewer: a double click gets
    one lease), in one statement on PostgreSQL; SQLite serialises writers."""
    if db.engine.dialect.name != "postgresql":
        return
    db.session.execute(_entering(activity, person))


#: Keeps these advisory lock keys apart from any other use of the two-key form.
_ADVISORY_NAMESPACE = 0x5052  # "PR"


def _drop_lapsed_leases(activity: Activity, person: Person, now: datetime) -> list[Any]:
    """The reviewer's reviews here (id, submission, status, lease) after deleting
    the leases that ran out: a lapsed lease's slot went back to the pool and may
    be taken by now, so it is let go and the choice made afresh (it may well be
    chosen again). Nothing is lost: a review is only written when it is submitted."""
    mine = db.session.execute(
        select(
            PeerReviewReview.id,
            PeerReviewReview.submission_id,
            PeerReviewReview.status,
            PeerReviewReview.lease_until,
        ).where(
            PeerReviewReview.activity_id == activity.id, PeerReviewReview.reviewer_id == person.id
        )
    ).all()
    lapsed = [
        row
        for row in mine
        if row.status == LEASED and (row.lease_until is None or row.lease_until <= now)
    ]
    if lapsed:
        db.session.execute(
            delete(PeerReviewReview).where(PeerReviewReview.id.in_([row.id for row in lapsed]))
        )
        mine = [row for row in mine if row not in lapsed]
    return list(mine)


def _resume_lease(activity: Activity, mine: list[Any], now: datetime) -> PeerReviewReview | None:
    """The reviewer's leased review, its lease renewed, if they hold one."""
    for row in mine:
        if row.status == LEASED:
            review = db.session.get(PeerReviewReview, row.id)
            assert review is not None
            renewed = now + quota.lease_of(activity)
            if review.lease_until is None or review.lease_until < renewed:
                review.lease_until = renewed
            db.session.flush()
            return review
    return None


def _check_still_owed(
    activity: Activity, mine: list[Any], n_learners: int, group_mode: bool
) -> None:
    """Refuse a learner who has given every review they owe (they may volunteer)."""
    done = sum(1 for r in mine if r.status == DONE)
    units = roster.unit_count(activity) if group_mode else n_learners
    if done >= quota.quota(activity, units):
        raise PeerReviewError("You have done all the reviews you owe. Thank you!")


def _lease_neediest(
    activity: Activity,
    person: Person,
    now: datetime,
    *,
    already: set[str],
    forbidden: frozenset[tuple[str, str]],
    allow_extra: bool,
    rng: random.Random,
) -> PeerReviewReview:
    """Lease the submission that needs a review most: choose on a snapshot of the
    pool, claim the choice if its counts have not moved, else read the pool again
    (up to ``_ATTEMPTS`` times)."""
    k = quota.k_of(activity)
    states = pool_states(activity, now)
    index = {st.id: i for i, st in enumerate(states)}
    skipped: list[SubmissionState] = []
    for _attempt in range(_ATTEMPTS):
        choice = choose_submission(
            str(person.id),
            states,
            k=k,
            forbidden=forbidden,
            already=already | {st.id for st in skipped},
            rng=rng,
            spread=_SPREAD if _attempt else 1,
            allow_extra=allow_extra,
        )
        seen = states[index[choice.submission]] if choice.submission is not None else None
        if skipped and (seen is None or need(seen) > need(skipped[0])):
            # Every submission that needs a review as much is being claimed at this
            # moment: let those claims finish, then look again, rather than take a
            # less needy one (no waiting on a row lock, so no lock cycles).
            time.sleep(_BACKOFF_S * (1 + _rng.random()))
            states = pool_states(activity, now)
            index = {st.id: i for i, st in enumerate(states)}
            skipped = []
            continue
        if seen is None:
            raise PeerReviewError(_nothing_to_review(str(person.id), states, already, forbidden, k))
        claim = claim_if_unchanged(int(seen.id), seen, now)
        if claim is LOCKED:
            skipped.append(seen)
            continue
        if claim is CHANGED:
            # Another reviewer took a slot on it since the snapshot (and others
            # probably took the next ones too): read the pool again.
            states = pool_states(activity, now)
            index = {st.id: i for i, st in enumerate(states)}
            skipped = []
            continue
        assert isinstance(claim, int)
        review = PeerReviewReview(
            activity_id=activity.id,
            submission_id=int(seen.id),
            reviewer_id=person.id,
            author_id=claim,
            status=LEASED,
            lease_until=now + quota.lease_of(activity),
        )
        db.session.add(review)
        db.session.flush()
        log.info(
            "peer review %s: review %s leased (%s)",
            activity.public_id,
            review.public_id,
            choice.reason,
        )
        return review
    log.warning(
        "peer review %s: no lease for %s after %d attempts (contention)",
        activity.public_id,
        person.public_id,
        _ATTEMPTS,
    )
    raise PeerReviewError(
        "Many reviewers are opening reviews at this moment. Try again in a few seconds."
    )


def _nothing_to_review(
    reviewer: str,
    states: list[SubmissionState],
    already: set[str],
    forbidden: frozenset[tuple[str, str]],
    k: int,
) -> str:
    """Why a reviewer has nothing to review, in their words."""
    open_ = [
        st
        for st in states
        if st.id not in already
        and reviewer not in st.authors
        and not any((reviewer, a) in forbidden or (a, reviewer) in forbidden for a in st.authors)
    ]
    if open_:  # all of them have k reviews (done or in progress) for now
        return (
            f"Every submission you can review has its {k} reviews for now. When more "
            "work comes in, it will be here for you; if none does before reviews close, "
            "there is nothing more you need to do."
        )
    blocked = [
        st
        for st in states
        if st.id not in already
        and reviewer not in st.authors
        and any((reviewer, a) in forbidden or (a, reviewer) in forbidden for a in st.authors)
    ]
    if blocked:
        return (
            "The only work left for you to review is by your manager or by someone who "
            "reports to you, and peers in a reporting line never review each other. "
            "Your instructor can review that work instead, or move you on; there is "
            "nothing you need to do."
        )
    return "There is no submission you can review right now. Try again later."
