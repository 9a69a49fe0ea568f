"""The rubric and learners' submissions, individual or by group.

Group submissions (setting ``group_submissions``): the groups are those of the
published grouping round of another activity of the course (setting
``groups_from``, that activity's public id). Any member submits or revises for
the whole group; the members are recorded (``PeerReviewSubmissionMember``, one
submission per person and activity) when the group first submits, and members
who join the group later are added when anyone of it submits again. Everyone
whose submission it is counts as its author: they see its feedback, rate it and
get its grade, and the allocator never gives it to any of them (``coauthors``).

Side effects: inserts/updates rows and flushes; the request commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Enrolment, Person
from lti_app.db import utcnow
from lti_app.domain.peer_grades import Criterion, Rubric
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import groups
from lti_app.peer_activities.peer_review.levels import level_problem
from lti_app.peer_activities.peer_review.models import (
    PeerReviewCriterion,
    PeerReviewReview,
    PeerReviewSubmission,
    PeerReviewSubmissionMember,
)
from lti_app.peer_activities.rich_text import rich_text
from lti_app.peer_activities.services import clean_settings

log = logging.getLogger(__name__)

#: The rubric an activity starts with until the instructor edits it.
DEFAULT_RUBRIC = (
    ("Content", 4, "0 missing\n1 thin\n2 adequate\n3 good\n4 excellent"),
    ("Clarity", 4, "0 unreadable\n1 hard to follow\n2 mostly clear\n3 clear\n4 very clear"),
    ("Use of evidence", 4, "0 none\n1 anecdote\n2 some\n3 relevant\n4 strong and cited"),
)


class PeerReviewError(ValueError):
    """Something a person asked for that the rules refuse; the message says why."""


@dataclass(frozen=True)
class CriterionInput:
    name: str
    max_points: int
    levels: str
    #: Reviewers must comment on this criterion.
    comment_required: bool = False


def criteria(activity: Activity) -> list[PeerReviewCriterion]:
    """The activity's rubric, creating the default one on first use."""
    rows = list(db.session.scalars(
        select(PeerReviewCriterion).where(PeerReviewCriterion.activity_id == activity.id)
        .order_by(PeerReviewCriterion.position, PeerReviewCriterion.id)))
    if not rows:
        for i, (name, points, levels) in enumerate(DEFAULT_RUBRIC, start=1):
            row = PeerReviewCriterion(activity_id=activity.id, position=i, name=name,
                                      max_points=points, levels=levels)
            db.session.add(row)
            rows.append(row)
        db.session.flush()
    return rows


def ensure_criteria(activity: Activity) -> None:
    """Create the default rubric if the activity has none (one cheap query when it
    has; else under the activity's row lock, so two first reviewers make one,
    released at once by whoever finds it made)."""
    def missing() -> bool:
        return db.session.scalar(select(PeerReviewCriterion.id).where(
            PeerReviewCriterion.activity_id == activity.id).limit(1)) is None

    if missing():
        savepoint = db.session.begin_nested()  # rolled back: the lock goes with it
        db.session.execute(select(Activity.id).where(Activity.id == activity.id)
                           .with_for_update(key_share=True))
        if missing():
            criteria(activity)
            savepoint.commit()
        else:
            savepoint.rollback()


def rubric_of(rows: list[PeerReviewCriterion]) -> Rubric:
    """The domain rubric; criteria are named by public id (names may change)."""
    return Rubric(tuple(Criterion(c.public_id, float(c.max_points)) for c in rows))


def reviews_started(activity: Activity) -> bool:
    found = db.session.scalar(select(func.count()).select_from(PeerReviewReview).where(
        PeerReviewReview.activity_id == activity.id, PeerReviewReview.status == "done"))
    return bool(found)


def save_rubric(activity: Activity, items: list[CriterionInput]) -> list[PeerReviewCriterion]:
    """Replace the rubric. Refused once a review is done: the scores given would no
    longer mean what they meant."""
    if reviews_started(activity):
        raise PeerReviewError("Reviews have been given against this rubric, so it can no "
                              "longer be changed.")
    if not items:
        raise PeerReviewError("A rubric needs at least one criterion.")
    for item in items:
        problem = level_problem(item.name, item.levels, item.max_points)
        if problem:
            raise PeerReviewError(problem)
    if len({item.name.casefold() for item in items}) != len(items):
        raise PeerReviewError("Give each criterion a different name.")
    for row in criteria(activity):
        db.session.delete(row)
    db.session.flush()
    rows = []
    for i, item in enumerate(items, start=1):
        row = PeerReviewCriterion(activity_id=activity.id, position=i, name=item.name,
                                  max_points=item.max_points, levels=item.levels,
                                  comment_required=item.comment_required)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    log.info("peer review %s: rubric saved (%d criteria)", activity.public_id, len(rows))
    return rows


def copy_rubric(activity: Activity, source: Activity) -> list[PeerReviewCriterion]:
    """Reuse another activity's rubric (same course, checked by the caller)."""
    items = [CriterionInput(c.name, c.max_points, c.levels, c.comment_required)
             for c in criteria(source)]
    return save_rubric(activity, items)


def learners(activity: Activity) -> list[Person]:
    """The course's active learners, by name."""
    if activity.course_id is None:
        return []
    rows = db.session.execute(
        select(Person, Enrolment.roles).join(Enrolment, Enrolment.person_id == Person.id)
        .where(Enrolment.course_id == activity.course_id, Enrolment.status == "active")).all()
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
    return select(func.count()).select_from(Enrolment).where(
        Enrolment.course_id == activity.course_id, Enrolment.status == "active",
        cast(Enrolment.roles, String).like(f'%"{LEARNER}"%')).scalar_subquery()


def owned_by(activity: Activity, person: Person) -> ColumnElement[bool]:
    """A submission is a person's when they authored it or are one of its members."""
    return or_(PeerReviewSubmission.author_id == person.id,
               PeerReviewSubmission.id.in_(
                   select(PeerReviewSubmissionMember.submission_id).where(
                       PeerReviewSubmissionMember.activity_id == activity.id,
                       PeerReviewSubmissionMember.person_id == person.id)))


def own_submission_id(activity: Activity, person: Person) -> int | None:
    """The id of the submission ``person`` authored (or co-authors), if any."""
    found: int | None = db.session.scalar(
        select(PeerReviewSubmission.id).where(PeerReviewSubmission.activity_id == activity.id,
                                              owned_by(activity, person)).limit(1))
    return found


def members(activity: Activity) -> dict[int, set[int]]:
    """Submission id -> the person ids whose submission it is (its author and, for
    a group submission, every member)."""
    out: dict[int, set[int]] = {}
    for sid, author in db.session.execute(
            select(PeerReviewSubmission.id, PeerReviewSubmission.author_id)
            .where(PeerReviewSubmission.activity_id == activity.id)):
        out[sid] = {author}
    for sid, person in db.session.execute(
            select(PeerReviewSubmissionMember.submission_id, PeerReviewSubmissionMember.person_id)
            .where(PeerReviewSubmissionMember.activity_id == activity.id)):
        out.setdefault(sid, set()).add(person)
    return out


def coauthors(activity: Activity) -> dict[int, set[str]]:
    """Submission id -> person ids of its other group members (group submissions)."""
    rows = db.session.execute(
        select(PeerReviewSubmissionMember.submission_id, PeerReviewSubmissionMember.person_id)
        .join(PeerReviewSubmission,
              PeerReviewSubmission.id == PeerReviewSubmissionMember.submission_id)
        .where(PeerReviewSubmissionMember.activity_id == activity.id,
               PeerReviewSubmissionMember.person_id != PeerReviewSubmission.author_id)).all()
    out: dict[int, set[str]] = {}
    for sid, person in rows:
        out.setdefault(sid, set()).add(str(person))
    return out


def people_of(activity: Activity, sub: PeerReviewSubmission) -> list[Person]:
    """Everyone whose submission ``sub`` is (the author first)."""
    others = list(db.session.scalars(
        select(Person).join(PeerReviewSubmissionMember,
                            PeerReviewSubmissionMember.person_id == Person.id)
        .where(PeerReviewSubmissionMember.submission_id == sub.id,
               Person.id != sub.author_id).order_by(Person.id)))
    return [sub.author, *others]


def submission_of(activity: Activity, person: Person) -> PeerReviewSubmission | None:
    """The submission that is ``person``'s (their own, or their group's)."""
    found: PeerReviewSubmission | None = db.session.scalar(
        select(PeerReviewSubmission).where(PeerReviewSubmission.activity_id == activity.id,
                                           owned_by(activity, person)).limit(1))
    return found


# -- group submissions -------------------------------------------------------------------


def unit_count(activity: Activity) -> int:
    """How many submissions the activity can have: its groups in group mode, else
    its learners (``reviews.quota`` caps what a reviewer owes by it)."""
    return groups.group_count(activity) if groups.group_mode(activity) \
        else learner_count(activity)


def _group_submission(activity: Activity, person: Person) -> tuple[PeerReviewSubmission | None,
                                                                    list[Person]]:
    """The person's group's submission (if any member submitted) and the group's
    people. Refused with a message when the person has no group."""
    group = groups.group_of(activity, person)
    if group is None:
        raise PeerReviewError("This activity takes one submission per group, and you are not "
                              "in a group yet. Ask your instructor to add you to one.")
    groups.lock_group(activity, group)
    people = groups.group_people(group)
    ids = [p.id for p in people]
    found: PeerReviewSubmission | None = db.session.scalar(
        select(PeerReviewSubmission).where(
            PeerReviewSubmission.activity_id == activity.id,
            or_(PeerReviewSubmission.author_id.in_(ids),
                PeerReviewSubmission.id.in_(select(PeerReviewSubmissionMember.submission_id)
                                            .where(PeerReviewSubmissionMember.activity_id
                                                   == activity.id,
                                                   PeerReviewSubmissionMember.person_id
                                                   .in_(ids)))))
        .order_by(PeerReviewSubmission.id).limit(1))
    own = submission_of(activity, person)
    if own is not None:
        found = own  # moved to another group after submitting: their submission stays
    return found, people


def _add_members(activity: Activity, sub: PeerReviewSubmission, people: list[Person]) -> None:
    """Record the group's people as members of ``sub``; anyone who already belongs
    to another submission of the activity stays there."""
    taken = set(db.session.scalars(select(PeerReviewSubmissionMember.person_id).where(
        PeerReviewSubmissionMember.activity_id == activity.id)))
    authors = set(db.session.scalars(select(PeerReviewSubmission.author_id).where(
        PeerReviewSubmission.activity_id == activity.id, PeerReviewSubmission.id != sub.id)))
    for p in people:
        if p.id not in taken and p.id not in authors:
            db.session.add(PeerReviewSubmissionMember(activity_id=activity.id,
                                                      submission_id=sub.id, person_id=p.id))
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise PeerReviewError("Someone in your group has just submitted too. Reload the page "
                              "to see your group's submission.") from exc


def submissions(activity: Activity) -> list[PeerReviewSubmission]:
    return list(db.session.scalars(
        select(PeerReviewSubmission).where(PeerReviewSubmission.activity_id == activity.id)
        .order_by(PeerReviewSubmission.submitted_at, PeerReviewSubmission.id)))


def submit_work(activity: Activity, person: Person, *, body: str,
                link_url: str | None, has_file: bool = False) -> PeerReviewSubmission:
    """Save (or revise) a learner's submission, or their group's in group mode
    (any member may). A revision is refused once a peer has opened it for review:
    reviewers must see what they are grading."""
    cleaned = rich_text(body)
    existing_file = False
    group: list[Person] = []
    if groups.group_mode(activity):
        sub, group = _group_submission(activity, person)
    else:
        sub = submission_of(activity, person)
    if sub is not None:
        existing_file = bool(sub.file_key)
    if not cleaned and not link_url and not has_file and not existing_file:
        raise PeerReviewError("Write your submission, attach a file or give a link to it.")
    if sub is None:
        sub = PeerReviewSubmission(activity_id=activity.id, author_id=person.id,
                                   submitted_at=utcnow())
        db.session.add(sub)
        db.session.flush()
    else:
        opened = db.session.scalar(select(func.count()).select_from(PeerReviewReview).where(
            PeerReviewReview.submission_id == sub.id))
        if opened:
            raise PeerReviewError("A peer is already reviewing your submission, so it can no "
                                  "longer be changed.")
    sub.body = cleaned
    sub.link_url = link_url
    db.session.flush()
    if group:
        _add_members(activity, sub, group)
    log.info("peer review %s: submission %s saved", activity.public_id, sub.public_id)
    return sub


#: Settings the instructor may change on a running activity (not anonymity: people
#: reviewed under a promise of anonymity that must hold).
EDITABLE = ("submission_due", "review_due", "feedback_due", "rate_feedback", "method",
            "accuracy_weighting", "reviews_per_submission", "allow_revision", "email_reminders",
            "group_submissions", "groups_from")
#: Settings fixed once the first submission is in (who submits with whom).
FIXED_ONCE_SUBMITTED = ("group_submissions", "groups_from")


def update_settings(activity: Activity, changes: dict[str, Any]) -> dict[str, Any]:
    """Change phases' dates and grading options; validated by the type's schema.
    Group submissions (and where their groups come from) are refused once anyone
    has submitted. Raises ``ActivityInputError`` with per-field messages, or
    ``PeerReviewError``."""
    merged = dict(activity.settings)
    merged.update({k: v for k, v in changes.items() if k in EDITABLE})
    moved = [k for k in FIXED_ONCE_SUBMITTED
             if (merged.get(k) or None) != (activity.settings.get(k) or None)]
    if moved and submissions(activity):
        raise PeerReviewError("Work has been submitted already, so group submissions can no "
                              "longer be switched on or off, nor their groups changed.")
    if merged.get("group_submissions"):
        source_id = merged.get("groups_from")
        if not source_id or source_id not in {
                a.public_id for a in groups.group_sources(activity)}:
            raise PeerReviewError("Choose the activity of this course whose published groups "
                                  "submit together.")
    else:
        merged["groups_from"] = None
    activity.settings = clean_settings("peer_review", merged)
    db.session.flush()
    log.info("peer review %s: settings changed", activity.public_id)
    return activity.settings


def revise_work(activity: Activity, person: Person, body: str) -> PeerReviewSubmission:
    """Hand in a revised version after feedback (when the activity allows it). The
    reviewed version stays as it was: grades are about what was reviewed."""
    if not activity.settings.get("allow_revision"):
        raise PeerReviewError("This activity does not take revisions.")
    sub = submission_of(activity, person)
    received = 0 if sub is None else db.session.scalar(
        select(func.count()).select_from(PeerReviewReview).where(
            PeerReviewReview.submission_id == sub.id, PeerReviewReview.status == "done"))
    if sub is None or not received:
        raise PeerReviewError("You can revise your work once you have received feedback.")
    cleaned = rich_text(body)
    if not cleaned:
        raise PeerReviewError("Write your revised version.")
    sub.revision = cleaned
    sub.revised_at = utcnow()
    db.session.flush()
    log.info("peer review %s: submission %s revised", activity.public_id, sub.public_id)
    return sub


def submission_by_id(activity: Activity, public_id: str) -> PeerReviewSubmission | None:
    found: PeerReviewSubmission | None = db.session.scalar(
        select(PeerReviewSubmission).where(PeerReviewSubmission.public_id == public_id,
                                           PeerReviewSubmission.activity_id == activity.id))
    return found
