"""A peer-assessment course at scale, written straight to the database (tests, bench).

``seed_peer_review`` gives the course's activity a rubric, a submission from each
of the first ``started`` learners, and ``k`` finished reviews of every submission
(reviewers in a ring, so loads are even), some rated for helpfulness; the other
learners never start. ``staff_token`` makes an instructor's session token.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import new_public_id, utcnow
from lti_app.domain.roles import INSTRUCTOR, RoleSet
from lti_app.extensions import db
from lti_app.lms.models import Deployment, Registration
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import submissions as subs
from lti_app.peer_activities.peer_review.models import (
    DONE,
    PeerReviewReview,
    PeerReviewSubmission,
)


@dataclass(frozen=True)
class Seeded:
    learners: list[int]
    starters: list[int]

    @property
    def non_starters(self) -> list[int]:
        return self.learners[len(self.starters) :]


def seed_peer_review(activity_id: int, *, started: int, k: int = 3) -> Seeded:
    """In the current app context; commits. Learners are the course's enrolled
    learners in id order."""
    activity = db.session.get(Activity, activity_id)
    assert activity is not None
    activity.settings = {
        **(activity.settings or {}),
        "reviews_per_submission": k,
        "rate_feedback": True,
    }
    rubric = subs.criteria(activity)
    learners = list(
        db.session.scalars(
            select(Enrolment.person_id)
            .where(
                Enrolment.course_id == activity.course_id,
                Enrolment.roles.cast(db.String).like('%"learner"%'),
            )
            .order_by(Enrolment.person_id)
        )
    )
    starters = learners[:started]
    now = utcnow()
    db.session.execute(
        insert(PeerReviewSubmission),
        [
            {
                "activity_id": activity.id,
                "author_id": pid,
                "body": f"Work of {pid}",
                "public_id": new_public_id(),
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
                "revision": "",
            }
            for pid in starters
        ],
    )
    by_author = dict(
        db.session.execute(
            select(PeerReviewSubmission.author_id, PeerReviewSubmission.id).where(
                PeerReviewSubmission.activity_id == activity.id
            )
        ).all()
    )
    top = sum(c.max_points for c in rubric)
    reviews = []
    n = len(starters)
    for i, author in enumerate(starters):
        for step in range(1, min(k, n - 1) + 1):
            reviewer = starters[(i + step) % n]
            total = float((i * 7 + step * 3) % (top + 1))
            reviews.append(
                {
                    "activity_id": activity.id,
                    "submission_id": by_author[author],
                    "reviewer_id": reviewer,
                    "author_id": author,
                    "status": DONE,
                    "scores": {c.public_id: min(c.max_points, total) for c in rubric[:1]},
                    "total": total,
                    "comment": "Clear and useful.",
                    "criterion_comments": {},
                    "completed_at": now,
                    "helpfulness": 1 + (i + step) % 5,
                    "helpfulness_comment": "",
                    "public_id": new_public_id(),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for start in range(0, len(reviews), 5000):
        db.session.execute(insert(PeerReviewReview), reviews[start : start + 5000])
    db.session.commit()
    return Seeded(learners, starters)


def staff_token(course_id: int, sub: str = "bench-instructor") -> str:
    """An instructor of the course (made on first use) and their session token."""
    from lti_app.actor.session import issue_token

    course = db.session.get(Course, course_id)
    assert course is not None
    reg = db.session.get(Registration, course.registration_id)
    dep = db.session.get(Deployment, course.deployment_id)
    person = db.session.scalar(
        select(Person).where(Person.registration_id == reg.id, Person.sub == sub)
    )
    if person is None:
        person = Person(registration_id=reg.id, sub=sub, name="Ada Instructor")
        db.session.add(person)
        db.session.flush()
        db.session.add(
            Enrolment(course_id=course.id, person_id=person.id, roles=[INSTRUCTOR], status="active")
        )
    db.session.commit()
    return issue_token(reg, dep, person, course, RoleSet(frozenset({INSTRUCTOR}), False))
