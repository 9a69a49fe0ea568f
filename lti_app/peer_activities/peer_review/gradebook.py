"""Peer assessment's grades for "Send grades" (lti_app.grades.publishing).

A learner has started when they submitted (or co-own a group submission), opened
or wrote a review, or were moved on by the instructor; only they get grades. The
grades are the submission and reviewing grades of the grade report (overrides
first), each with a plain-language comment.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, select, union

from lti_app.courses.models import Enrolment, Person
from lti_app.domain.peer_grades import (
    GradingOptions,
    Rating,
    reviewing_grades,
    submission_grades,
)
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.grades.publishing import GradeLine, GradePlan, Starters
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import grading
from lti_app.peer_activities.peer_review import reviews as rv
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.models import (
    DONE,
    REVIEWING_GRADE,
    SUBMISSION_GRADE,
    PeerReviewOverride,
    PeerReviewProgress,
    PeerReviewReview,
    PeerReviewSubmission,
    PeerReviewSubmissionMember,
)

KINDS = (SUBMISSION_GRADE, REVIEWING_GRADE)


def _started(activity: Activity) -> Any:
    """Person ids of everyone who did something in the activity (a subquery)."""
    return union(
        select(PeerReviewSubmission.author_id.label("pid")).where(
            PeerReviewSubmission.activity_id == activity.id
        ),
        select(PeerReviewSubmissionMember.person_id).where(
            PeerReviewSubmissionMember.activity_id == activity.id
        ),
        select(PeerReviewReview.reviewer_id).where(PeerReviewReview.activity_id == activity.id),
        select(PeerReviewProgress.person_id).where(
            PeerReviewProgress.activity_id == activity.id,
            PeerReviewProgress.moved_on_at.is_not(None),
        ),
    ).subquery()


def _learner_ids(activity: Activity) -> Any:
    return select(Enrolment.person_id).where(
        Enrolment.course_id == activity.course_id,
        Enrolment.status == "active",
        cast(Enrolment.roles, String).like(f'%"{LEARNER}"%'),
    )


def count(activity: Activity) -> Starters:
    """Active learners, and how many of them started: two plain reads intersected
    here (one SQL statement joining a UNION with the JSON role filter took a minute
    on PostgreSQL for 10,000 learners)."""
    learners = set(db.session.scalars(_learner_ids(activity)))
    started_q = _started(activity)
    started = set(db.session.scalars(select(started_q.c.pid)))
    return Starters(learners=len(learners), started=len(learners & started))


def _rows(activity: Activity) -> list[grading.GradeRow]:
    """Every learner's submission and reviewing grade, as ``grading.grade_report``
    computes them, without what only its page needs (per-learner standings, which
    cost O(learners²), reviewer flags, reliability): everyone owes the same quota."""
    rubric = subs.rubric_of(subs.criteria(activity))
    m = rubric.max_total
    pool = db.session.scalars(
        select(PeerReviewSubmission.id).where(PeerReviewSubmission.activity_id == activity.id)
    ).all()
    # Plain columns, not review objects: 30,000 reviews load in a fraction of the time.
    done = db.session.execute(
        select(
            PeerReviewReview.reviewer_id,
            PeerReviewReview.submission_id,
            PeerReviewReview.total,
            PeerReviewReview.helpfulness,
        ).where(
            PeerReviewReview.activity_id == activity.id,
            PeerReviewReview.status == DONE,
            PeerReviewReview.total.is_not(None),
        )
    ).all()
    ratings = [
        Rating(str(r.reviewer_id), str(r.submission_id), min(m, float(r.total or 0))) for r in done
    ]
    options = GradingOptions(
        max_score=m,
        method=activity.settings.get("method", "mean"),
        accuracy_weighting=bool(activity.settings.get("accuracy_weighting", False)),
    )
    by_sub = submission_grades(ratings, options, submissions=[str(sid) for sid in pool])
    people = [_Learner(pid) for pid in db.session.scalars(_learner_ids(activity))]
    owed = rv.quota(activity, subs.unit_count(activity))
    helpful = [(str(r.reviewer_id), int(r.helpfulness)) for r in done if r.helpfulness is not None]
    by_rev = reviewing_grades(
        ratings, max_score=m, assigned={str(p.id): owed for p in people}, helpfulness=helpful
    )
    overrides: dict[int, dict[str, PeerReviewOverride]] = {}
    for o in db.session.scalars(
        select(PeerReviewOverride).where(PeerReviewOverride.activity_id == activity.id)
    ):
        overrides.setdefault(o.person_id, {})[o.kind] = o
    own = {pid: str(sid) for sid, pids in subs.members(activity).items() for pid in pids}
    return [
        grading.GradeRow(
            cast_person(p),
            by_sub.get(own.get(p.id, "")),
            by_rev.get(str(p.id)),
            overrides.get(p.id, {}),
        )
        for p in people
    ]


@dataclass(frozen=True)
class _Learner:
    """A learner by id: all a grade row needs here (no 10,000 Person objects)."""

    id: int


def cast_person(learner: _Learner) -> Person:
    return typing.cast(Person, learner)


def plan(activity: Activity) -> GradePlan:
    """Every learner's grades, computed once (the background job's first step)."""
    rows = _rows(activity)
    started_q = _started(activity)
    started = set(db.session.scalars(select(started_q.c.pid)))
    asked = rv.quota(activity, subs.unit_count(activity))
    out = GradePlan(learners=[row.person.id for row in rows], kinds=KINDS)
    for row in rows:
        if row.person.id not in started:
            continue
        lines = []
        for kind in KINDS:
            percent = row.percent(kind)
            if percent is not None:
                lines.append(
                    GradeLine(
                        kind, percent, grading.gradebook_comment(activity, row, kind, asked=asked)
                    )
                )
        out.grades[row.person.id] = lines
    return out
