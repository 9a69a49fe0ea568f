"""Each learner's progress through a peer-review activity (``Standing``), and
completion: queued to the gradebook outbox once per learner when they have done
their part, or when an instructor moves them on.

Side effects: ``check_completion`` and ``move_on`` write rows and may queue a
score; the request commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, or_, select
from sqlalchemy.orm import joinedload

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.grades import services as grades
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import groups, phases
from lti_app.peer_activities.peer_review.models import (
    DONE,
    PeerReviewProgress,
    PeerReviewReview,
    PeerReviewSubmission,
)
from lti_app.peer_activities.peer_review.services import (
    allocation,
    quota,
    reporting_lines,
    reviewing,
    roster,
    self_assessing,
)
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError

log = logging.getLogger(__name__)


COMPLETION_COMMENT = "Peer assessment: submitted, reviewed peers and rated the feedback."


@dataclass
class Standing:
    """One learner's progress through the activity (what the dashboard shows)."""

    person: Person
    submission: PeerReviewSubmission | None
    given: int = 0
    leased: int = 0
    expired: int = 0
    owed: int = 0
    received: int = 0
    rated: int = 0
    expected: int = 0
    progress: PeerReviewProgress | None = None
    #: Every other submission has been reviewed (or is held) by them already.
    no_work: bool = False
    #: Their reviews, given and received, oldest first (read for one learner's page
    #: only, so the page needs no second read of them; empty on the dashboard).
    reviews: list[PeerReviewReview] = field(default_factory=list, repr=False, compare=False)

    @property
    def completed(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None

    @property
    def moved_on(self) -> bool:
        return self.progress is not None and self.progress.moved_on_at is not None

    #: Submitted after the submission due date.
    late: bool = False
    #: Phases whose due date passed with this learner's part undone.
    overdue: tuple[str, ...] = ()
    #: Group submissions are on and this learner, without a submission, is in no group.
    no_group: bool = False

    @property
    def stuck(self) -> str:
        """Why this learner cannot finish on their own (or is behind), or ""."""
        if self.completed:
            return ""
        if self.no_group:
            return "not in a group, so they cannot submit (group submissions)"
        if self.overdue:
            return "overdue: " + ", ".join(self.overdue)
        if (
            self.submission is not None
            and self.given < self.owed
            and not self.leased
            and self.no_work
        ):
            return "no submission left for them to review"
        if self.expired:
            return "abandoned a review (its lease ran out)"
        return ""

    def owes(self, rate_feedback: bool) -> list[str]:
        """What the learner still has to do, in order."""
        out = []
        if self.submission is None and not self.moved_on:
            out.append("submit your work")
        if self.given < self.owed:
            out.append(f"review {self.owed - self.given} more peer submission(s)")
        if rate_feedback and self.rated < self.received:
            out.append(f"rate the helpfulness of {self.received - self.rated} review(s)")
        return out


#: Prebuilt (hot: every learner's page): a learner's reviews, given and received,
#: with their reviewers; bound at execution.
_THEIR_REVIEWS = (
    select(PeerReviewReview)
    .options(joinedload(PeerReviewReview.reviewer))
    .where(
        PeerReviewReview.activity_id == bindparam("activity"),
        or_(
            PeerReviewReview.reviewer_id.in_(bindparam("people", expanding=True)),
            PeerReviewReview.submission_id.in_(bindparam("subs", expanding=True)),
        ),
    )
    .order_by(PeerReviewReview.id)
)


#: Prebuilt: submissions by id (a learner's own), and the given people's progress rows.
_SUBMISSIONS = select(PeerReviewSubmission).where(
    PeerReviewSubmission.id.in_(bindparam("ids", expanding=True))
)
_THEIR_PROGRESS = select(PeerReviewProgress).where(
    PeerReviewProgress.activity_id == bindparam("activity"),
    PeerReviewProgress.person_id.in_(bindparam("people", expanding=True)),
)


@cache
def _figures() -> Any:
    """The course's learner count and the reporting pairs' change stamps, one row
    (bound ``:course``): built once per process."""
    course = bindparam("course", type_=Integer)
    return select(
        roster.course_learner_count_column(course), *reporting_lines.pairs_columns(course)
    )


def standings(activity: Activity, people: Iterable[Person] | None = None) -> list[Standing]:
    """Every learner's (or the given people's) standing.

    A learner's page asks for one person at every launch, so the reviews read are
    only theirs (given, and received on their work), loaded whole once (with their
    reviewers) and kept on the standing (``Standing.reviews``) for the page; the
    other submissions are plain (id, author, member) rows; the learner count and
    the reporting pairs' change stamps are one row. The dashboard asks for everyone."""
    fingerprint: tuple[Any, ...] | None = None
    if people is None:
        everyone = roster.learners(activity)
        people = everyone
        n_learners = len(everyone)
        mine_only = None
    else:
        people = list(people)
        mine_only = {p.id for p in people}
        if activity.course_id is None:
            n_learners = 0
        else:
            n_learners, *stamps = db.session.execute(
                _figures(), {"course": activity.course_id}
            ).one()
            n_learners = int(n_learners or 0)
            fingerprint = tuple(stamps)
    pool, owners = roster.pool_and_members(activity)
    wanted = {p.id for p in people}
    own_ids = {sid for sid, pids in owners.items() if pids & wanted}
    own_rows = (
        {s.id: s for s in db.session.scalars(_SUBMISSIONS, {"ids": list(own_ids)})}
        if own_ids
        else {}
    )
    by_person = {
        pid: own_rows[sid] for sid, pids in owners.items() for pid in pids if sid in own_rows
    }
    loaded: list[PeerReviewReview] = []
    if mine_only is not None:
        params = {"activity": activity.id, "people": list(mine_only), "subs": list(own_ids)}
        loaded = list(db.session.scalars(_THEIR_REVIEWS, params))
        reviews: list[Any] = list(loaded)
    else:
        reviews = list(
            db.session.execute(
                select(
                    PeerReviewReview.reviewer_id,
                    PeerReviewReview.submission_id,
                    PeerReviewReview.status,
                    PeerReviewReview.lease_until,
                    PeerReviewReview.helpfulness,
                ).where(PeerReviewReview.activity_id == activity.id)
            ).all()
        )
    if mine_only is not None:
        progress_rows = db.session.scalars(
            _THEIR_PROGRESS, {"activity": activity.id, "people": list(mine_only)}
        )
    else:
        progress_rows = db.session.scalars(
            select(PeerReviewProgress).where(PeerReviewProgress.activity_id == activity.id)
        )
    progress = {p.person_id: p for p in progress_rows}
    now = utcnow()
    owed = quota.quota(activity, roster.unit_count(activity, n_learners=n_learners))
    blocked = reporting_lines.must_not_review(activity, fingerprint=fingerprint)
    grouped = groups.grouped_people(activity) if groups.group_mode(activity) else None
    given_by: dict[int, list[Any]] = {}
    received_on: dict[int, list[Any]] = {}
    for r in reviews:
        given_by.setdefault(r.reviewer_id, []).append(r)
        received_on.setdefault(r.submission_id, []).append(r)
    out = []
    for person in people:
        own = by_person.get(person.id)
        st = Standing(person, own, progress=progress.get(person.id))
        if mine_only is not None:
            st.reviews = [
                r
                for r in loaded
                if r.reviewer_id == person.id or (own is not None and r.submission_id == own.id)
            ]
        st.no_group = grouped is not None and own is None and person.id not in grouped
        st.owed = owed
        # A submission can only be reviewed by learners whose submission it is not.
        outsiders = n_learners - len(owners.get(own.id, ())) if own is not None else 0
        st.expected = max(0, min(quota.k_of(activity), outsiders)) if own is not None else 0
        for r in given_by.get(person.id, ()):
            if r.status == DONE:
                st.given += 1
            elif quota.is_live(r, now):
                st.leased += 1
            else:
                st.expired += 1
        if own is not None:
            for r in received_on.get(own.id, ()):
                if r.status == DONE:
                    st.received += 1
                    st.rated += 1 if r.helpfulness is not None else 0
        st.late = own is not None and phases.is_late(activity.settings, own.submitted_at)
        late_parts = []
        if own is None and phases.overdue(activity.settings, phases.SUBMISSION, now):
            late_parts.append("submission")
        if st.given < st.owed and phases.overdue(activity.settings, phases.REVIEW, now):
            late_parts.append(f"{st.owed - st.given} review(s)")
        if (
            activity.settings.get("rate_feedback", True)
            and st.rated < st.received
            and phases.overdue(activity.settings, phases.FEEDBACK, now)
        ):
            late_parts.append("feedback ratings")
        st.overdue = tuple(late_parts)
        seen = {r.submission_id for r in given_by.get(person.id, ())}
        st.no_work = all(
            sid in seen
            or person.id in owners.get(sid, {author})
            or (str(person.id), str(author)) in blocked
            or (str(author), str(person.id)) in blocked
            for sid, author in pool
        )
        out.append(st)
    return out


def _progress_row(activity: Activity, person: Person) -> PeerReviewProgress:
    row = db.session.scalar(
        select(PeerReviewProgress).where(
            PeerReviewProgress.activity_id == activity.id, PeerReviewProgress.person_id == person.id
        )
    )
    if row is None:
        row = PeerReviewProgress(activity_id=activity.id, person_id=person.id)
        db.session.add(row)
        db.session.flush()
    return row


def _complete(activity: Activity, person: Person, comment: str) -> bool:
    row = _progress_row(activity, person)
    if row.completed_at is not None:
        return False
    row.completed_at = utcnow()
    db.session.flush()
    if activity.course_id is not None:
        grades.record_score(
            grades.line_item_for(activity, "completion"),
            person,
            score_given=100,
            score_maximum=100,
            comment=comment,
        )
    log.info("peer review %s: %s complete, score queued", activity.public_id, person.public_id)
    return True


def _nothing_left(activity: Activity, st: Standing, pool: list[Any]) -> bool:
    """Once reviews have closed: no submission below k is open to this learner
    (so the reviews they still owe are ones nobody can give them)."""
    if st.leased:
        return False
    k = quota.k_of(activity)
    blocked = reporting_lines.must_not_review(activity)
    me = str(st.person.id)
    mine = set(reviewing.reviewed_by(activity, st.person))
    return not any(
        s.completed + s.in_progress < k
        and me not in s.authors
        and s.id not in mine
        and not any((me, a) in blocked or (a, me) in blocked for a in s.authors)
        for s in pool
    )


def check_completion(activity: Activity, people: Iterable[Person]) -> list[Person]:
    """Complete whoever among ``people`` has now done their part, which depends
    only on what they control: submitted, given the reviews they owe (or, once
    reviews have closed, every review still open to them) and, if the phase is on,
    rated the feedback they received. Waiting for reviews of their own work never
    holds them back. Queues one completion score per learner, ever."""
    rate = bool(activity.settings.get("rate_feedback", True))
    done = []
    pool: list[Any] | None = None
    for st in standings(activity, people):
        if st.completed or not grades.is_gradable(st.person, activity.course_id or 0):
            continue
        if st.submission is None:
            continue
        if st.given < st.owed:
            if not phases.overdue(activity.settings, phases.REVIEW, utcnow()):
                continue
            if pool is None:
                pool = allocation.pool_states(activity, utcnow())
            if not _nothing_left(activity, st, pool):
                continue
        if rate and st.rated < st.received:
            continue
        if not self_assessing.completion_met(activity, st.person):  # issue 20: when required
            continue
        if _complete(activity, st.person, COMPLETION_COMMENT):
            done.append(st.person)
    return done


def move_on(activity: Activity, person: Person, by: Person, reason: str) -> None:
    """An instructor moves a stuck learner on: they count as complete (score queued
    once) and may review without a submission of their own."""
    reason = reason.strip()
    if not reason:
        raise PeerReviewError("Give a reason for moving this learner on.")
    row = _progress_row(activity, person)
    row.moved_on_at = utcnow()
    row.moved_on_reason = reason[:2000]
    _complete(activity, person, "Peer assessment: moved on by the instructor.")
    log.info(
        "peer review %s: %s moved on by %s", activity.public_id, person.public_id, by.public_id
    )
