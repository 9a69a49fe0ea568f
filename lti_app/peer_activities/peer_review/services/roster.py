"""Who is in a peer-review activity and whose submission is whose: the course's
learners (listed or counted in SQL), the people of a submission (its author and,
for a group submission, its members) and how many submissions the activity can
have. Read only.

Group submissions (setting ``group_submissions``): the groups are those of the
published grouping round of another activity of the course (setting
``groups_from``). Everyone whose submission it is counts as its author: they see
its feedback, rate it and get its grade, and the allocator never gives it to any
of them (``coauthors``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, bindparam, cast, func, or_, select

from lti_app.courses.models import Enrolment, Person
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import groups
from lti_app.peer_activities.peer_review.models import (
    PeerReviewSubmission,
    PeerReviewSubmissionMember,
)


def learners(activity: Activity) -> list[Person]:
    """The course's active learners, by name."""
    if activity.course_id is None:
        return []
    rows = db.session.execute(
        select(Person, Enrolment.roles)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(Enrolment.course_id == activity.course_id, Enrolment.status == "active")
    ).all()
    people = [p for p, roles in rows if LEARNER in (roles or [])]
    return sorted(people, key=lambda p: (p.display_name.casefold(), p.id))


def learner_count(activity: Activity) -> int:
    """How many active learners the course has (as ``learners``), counted in SQL:
    the roles are a JSON list of role names, so its text holds ``"learner"``
    exactly when the list does."""
    if activity.course_id is None:
        return 0
    return int(db.session.scalar(select(learner_count_column(activity))) or 0)


def learner_count_column(activity: Activity) -> Any:
    """``learner_count`` as a scalar subquery, to read along with other figures."""
    return course_learner_count_column(activity.course_id)


def course_learner_count_column(course_id: Any) -> Any:
    """The active learners of course ``course_id`` (a value or a bound parameter),
    as a scalar subquery."""
    return (
        select(func.count())
        .select_from(Enrolment)
        .where(
            Enrolment.course_id == course_id,
            Enrolment.status == "active",
            cast(Enrolment.roles, String).like(f'%"{LEARNER}"%'),
        )
        .scalar_subquery()
    )


def owned_by(activity: Activity, person: Person) -> ColumnElement[bool]:
    """A submission is a person's when they authored it or are one of its members."""
    return or_(
        PeerReviewSubmission.author_id == person.id,
        PeerReviewSubmission.id.in_(
            select(PeerReviewSubmissionMember.submission_id).where(
                PeerReviewSubmissionMember.activity_id == activity.id,
                PeerReviewSubmissionMember.person_id == person.id,
            )
        ),
    )


def own_submission_id(activity: Activity, person: Person) -> int | None:
    """The id of the submission ``person`` authored (or co-authors), if any."""
    found: int | None = db.session.scalar(
        select(PeerReviewSubmission.id)
        .where(PeerReviewSubmission.activity_id == activity.id, owned_by(activity, person))
        .limit(1)
    )
    return found


def members(activity: Activity) -> dict[int, set[int]]:
    """Submission id -> the person ids whose submission it is (its author and, for
    a group submission, every member)."""
    out: dict[int, set[int]] = {}
    for sid, author in db.session.execute(
        select(PeerReviewSubmission.id, PeerReviewSubmission.author_id).where(
            PeerReviewSubmission.activity_id == activity.id
        )
    ):
        out[sid] = {author}
    for sid, person in db.session.execute(
        select(
            PeerReviewSubmissionMember.submission_id, PeerReviewSubmissionMember.person_id
        ).where(PeerReviewSubmissionMember.activity_id == activity.id)
    ):
        out.setdefault(sid, set()).add(person)
    return out


#: Prebuilt (hot: every learner's page): bound at execution.
_POOL_AND_MEMBERS = (
    select(
        PeerReviewSubmission.id,
        PeerReviewSubmission.author_id,
        PeerReviewSubmissionMember.person_id,
    )
    .outerjoin(
        PeerReviewSubmissionMember,
        PeerReviewSubmissionMember.submission_id == PeerReviewSubmission.id,
    )
    .where(PeerReviewSubmission.activity_id == bindparam("activity"))
)


def pool_and_members(activity: Activity) -> tuple[list[tuple[int, int]], dict[int, set[int]]]:
    """The activity's submissions as (id, author id) and ``members`` of each, in
    one round trip (each submission with its member rows, outer-joined)."""
    pool: list[tuple[int, int]] = []
    out: dict[int, set[int]] = {}
    for sid, author, person in db.session.execute(_POOL_AND_MEMBERS, {"activity": activity.id}):
        if sid not in out:
            pool.append((sid, author))
            out[sid] = {author}
        if person is not None:
            out[sid].add(person)
    return pool, out


def coauthors(activity: Activity) -> dict[int, set[str]]:
    """Submission id -> person ids of its other group members (group submissions)."""
    rows = db.session.execute(
        select(PeerReviewSubmissionMember.submission_id, PeerReviewSubmissionMember.person_id)
        .join(
            PeerReviewSubmission,
            PeerReviewSubmission.id == PeerReviewSubmissionMember.submission_id,
        )
        .where(
            PeerReviewSubmissionMember.activity_id == activity.id,
            PeerReviewSubmissionMember.person_id != PeerReviewSubmission.author_id,
        )
    ).all()
    out: dict[int, set[str]] = {}
    for sid, person in rows:
        out.setdefault(sid, set()).add(str(person))
    return out


def people_of(activity: Activity, sub: PeerReviewSubmission) -> list[Person]:
    """Everyone whose submission ``sub`` is (the author first)."""
    others = list(
        db.session.scalars(
            select(Person)
            .join(PeerReviewSubmissionMember, PeerReviewSubmissionMember.person_id == Person.id)
            .where(PeerReviewSubmissionMember.submission_id == sub.id, Person.id != sub.author_id)
            .order_by(Person.id)
        )
    )
    return [sub.author, *others]


def submission_of(activity: Activity, person: Person) -> PeerReviewSubmission | None:
    """The submission that is ``person``'s (their own, or their group's)."""
    found: PeerReviewSubmission | None = db.session.scalar(
        select(PeerReviewSubmission)
        .where(PeerReviewSubmission.activity_id == activity.id, owned_by(activity, person))
        .limit(1)
    )
    return found


def unit_count(activity: Activity, *, n_learners: int | None = None) -> int:
    """How many submissions the activity can have: its groups in group mode, else
    its learners (``quota.quota`` caps what a reviewer owes by it; ``n_learners``:
    the learner count, when the caller has read it already)."""
    if groups.group_mode(activity):
        return groups.group_count(activity)
    return learner_count(activity) if n_learners is None else n_learners
