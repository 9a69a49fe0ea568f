"""Peer assessment's grades for "Send grades" (lti_app.grades.publishing).

A learner has started when they submitted (or co-own a group submission), opened
or wrote a review, or were moved on by the instructor; only they get grades. The
grades are the submission and reviewing grades of the grade report (overrides
first), each with a plain-language comment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func, select, union

from lti_app.courses.models import Enrolment
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.grades.publishing import GradeLine, GradePlan, GradeSource, Starters, register_source
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import grading
from lti_app.peer_activities.peer_review import reviews as rv
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.models import (
    REVIEWING_GRADE,
    SUBMISSION_GRADE,
    PeerReviewProgress,
    PeerReviewReview,
    PeerReviewSubmission,
    PeerReviewSubmissionMember,
)

KINDS = (SUBMISSION_GRADE, REVIEWING_GRADE)


def _started(activity: Activity) -> Any:
    """Person ids of everyone who did something in the activity (a subquery)."""
    return union(
        select(PeerReviewSubmission.author_id.label("pid"))
        .where(PeerReviewSubmission.activity_id == activity.id),
        select(PeerReviewSubmissionMember.person_id)
        .where(PeerReviewSubmissionMember.activity_id == activity.id),
        select(PeerReviewReview.reviewer_id).where(PeerReviewReview.activity_id == activity.id),
        select(PeerReviewProgress.person_id).where(PeerReviewProgress.activity_id == activity.id,
                                                   PeerReviewProgress.moved_on_at.is_not(None)),
    ).subquery()


def _learner_ids(activity: Activity) -> Any:
    return select(Enrolment.person_id).where(
        Enrolment.course_id == activity.course_id, Enrolment.status == "active",
        cast(Enrolment.roles, String).like(f'%"{LEARNER}"%'))


def count(activity: Activity) -> Starters:
    """Active learners, and how many of them started (two counting queries)."""
    started = _started(activity)
    n_started = db.session.scalar(select(func.count(func.distinct(started.c.pid)))
                                  .where(started.c.pid.in_(_learner_ids(activity))))
    return Starters(learners=subs.learner_count(activity), started=int(n_started or 0))


def plan(activity: Activity) -> GradePlan:
    """Every learner's grades, computed once (the background job's first step)."""
    report = grading.grade_report(activity)
    started_q = _started(activity)
    started = set(db.session.scalars(select(started_q.c.pid)))
    asked = rv.quota(activity, subs.unit_count(activity))
    out = GradePlan(learners=[row.person.id for row in report.rows], kinds=KINDS)
    for row in report.rows:
        if row.person.id not in started:
            continue
        lines = []
        for kind in KINDS:
            percent = row.percent(kind)
            if percent is not None:
                lines.append(GradeLine(kind, percent, grading.gradebook_comment(
                    activity, row, kind, asked=asked)))
        out.grades[row.person.id] = lines
    return out


register_source("peer_review", GradeSource(count=count, plan=plan),
                lambda activity_id: db.session.get(Activity, activity_id))
