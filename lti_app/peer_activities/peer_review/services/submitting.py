"""Handing in work: a learner's submission, or their group's (any member submits
or revises for the whole group; the members are recorded, one submission per
person and activity, when the group first submits, and members who join later
are added when anyone of it submits again), revisions after feedback, and the
settings that may change on a running activity.

Side effects: inserts/updates rows and flushes; the request commits.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import groups, phases
from lti_app.peer_activities.peer_review.models import (
    PeerReviewReview,
    PeerReviewSubmission,
    PeerReviewSubmissionMember,
)
from lti_app.peer_activities.peer_review.services import roster
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError
from lti_app.peer_activities.rich_text import rich_text
from lti_app.peer_activities.services import clean_settings

log = logging.getLogger(__name__)


def _group_submission(
    activity: Activity, person: Person
) -> tuple[PeerReviewSubmission | None, list[Person]]:
    """The person's group's submission (if any member submitted) and the group's
    people. Refused with a message when the person has no group."""
    group = groups.group_of(activity, person)
    if group is None:
        raise PeerReviewError(
            "This activity takes one submission per group, and you are not "
            "in a group yet. Ask your instructor to add you to one."
        )
    groups.lock_group(activity, group)
    people = groups.group_people(group)
    ids = [p.id for p in people]
    found: PeerReviewSubmission | None = db.session.scalar(
        select(PeerReviewSubmission)
        .where(
            PeerReviewSubmission.activity_id == activity.id,
            or_(
                PeerReviewSubmission.author_id.in_(ids),
                PeerReviewSubmission.id.in_(
                    select(PeerReviewSubmissionMember.submission_id).where(
                        PeerReviewSubmissionMember.activity_id == activity.id,
                        PeerReviewSubmissionMember.person_id.in_(ids),
                    )
                ),
            ),
        )
        .order_by(PeerReviewSubmission.id)
        .limit(1)
    )
    own = roster.submission_of(activity, person)
    if own is not None:
        found = own  # moved to another group after submitting: their submission stays
    return found, people


def _add_members(activity: Activity, sub: PeerReviewSubmission, people: list[Person]) -> None:
    """Record the group's people as members of ``sub``; anyone who already belongs
    to another submission of the activity stays there."""
    taken = set(
        db.session.scalars(
            select(PeerReviewSubmissionMember.person_id).where(
                PeerReviewSubmissionMember.activity_id == activity.id
            )
        )
    )
    authors = set(
        db.session.scalars(
            select(PeerReviewSubmission.author_id).where(
                PeerReviewSubmission.activity_id == activity.id, PeerReviewSubmission.id != sub.id
            )
        )
    )
    for p in people:
        if p.id not in taken and p.id not in authors:
            db.session.add(
                PeerReviewSubmissionMember(
                    activity_id=activity.id, submission_id=sub.id, person_id=p.id
                )
            )
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise PeerReviewError(
            "Someone in your group has just submitted too. Reload the page "
            "to see your group's submission."
        ) from exc


def submissions(activity: Activity) -> list[PeerReviewSubmission]:
    return list(
        db.session.scalars(
            select(PeerReviewSubmission)
            .where(PeerReviewSubmission.activity_id == activity.id)
            .order_by(PeerReviewSubmission.submitted_at, PeerReviewSubmission.id)
        )
    )


def submit_work(
    activity: Activity, person: Person, *, body: str, link_url: str | None, has_file: bool = False
) -> PeerReviewSubmission:
    """Save (or revise) a learner's submission, or their group's in group mode
    (any member may). A revision is refused once a peer has opened it for review:
    reviewers must see what they are grading."""
    cleaned = rich_text(body)
    existing_file = False
    group: list[Person] = []
    if groups.group_mode(activity):
        sub, group = _group_submission(activity, person)
    else:
        sub = roster.submission_of(activity, person)
    why = phases.refusal(activity.settings, phases.SUBMIT if sub is None else phases.EDIT)
    if why:  # the phase set by hand (phases.RULES)
        raise PeerReviewError(why)
    if sub is not None:
        existing_file = bool(sub.file_key)
    if not cleaned and not link_url and not has_file and not existing_file:
        raise PeerReviewError("Write your submission, attach a file or give a link to it.")
    if sub is None:
        sub = PeerReviewSubmission(
            activity_id=activity.id, author_id=person.id, submitted_at=utcnow()
        )
        db.session.add(sub)
        db.session.flush()
    else:
        opened = db.session.scalar(
            select(func.count())
            .select_from(PeerReviewReview)
            .where(PeerReviewReview.submission_id == sub.id)
        )
        if opened:
            raise PeerReviewError(
                "A peer is already reviewing your submission, so it can no longer be changed."
            )
    sub.body = cleaned
    sub.link_url = link_url
    db.session.flush()
    if group:
        _add_members(activity, sub, group)
    log.info("peer review %s: submission %s saved", activity.public_id, sub.public_id)
    return sub


def revise_work(activity: Activity, person: Person, body: str) -> PeerReviewSubmission:
    """Hand in a revised version after feedback (when the activity allows it). The
    reviewed version stays as it was: grades are about what was reviewed."""
    if not activity.settings.get("allow_revision"):
        raise PeerReviewError("This activity does not take revisions.")
    why = phases.refusal(activity.settings, phases.RESPOND)
    if why:  # the phase set by hand (phases.RULES)
        raise PeerReviewError(why)
    sub = roster.submission_of(activity, person)
    received = (
        0
        if sub is None
        else db.session.scalar(
            select(func.count())
            .select_from(PeerReviewReview)
            .where(PeerReviewReview.submission_id == sub.id, PeerReviewReview.status == "done")
        )
    )
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
        select(PeerReviewSubmission).where(
            PeerReviewSubmission.public_id == public_id,
            PeerReviewSubmission.activity_id == activity.id,
        )
    )
    return found


#: Settings the instructor may change on a running activity (not anonymity: people
#: reviewed under a promise of anonymity that must hold).
EDITABLE = (
    "submission_due",
    "review_due",
    "feedback_due",
    "rate_feedback",
    "method",
    "accuracy_weighting",
    "reviews_per_submission",
    "allow_revision",
    "email_reminders",
    "group_submissions",
    "groups_from",
)


#: Settings fixed once the first submission is in (who submits with whom).
FIXED_ONCE_SUBMITTED = ("group_submissions", "groups_from")


def update_settings(activity: Activity, changes: dict[str, Any]) -> dict[str, Any]:
    """Change phases' dates and grading options; validated by the type's schema.
    Group submissions (and where their groups come from) are refused once anyone
    has submitted. Raises ``ActivityInputError`` with per-field messages, or
    ``PeerReviewError``."""
    merged = dict(activity.settings)
    merged.update({k: v for k, v in changes.items() if k in EDITABLE})
    moved = [
        k
        for k in FIXED_ONCE_SUBMITTED
        if (merged.get(k) or None) != (activity.settings.get(k) or None)
    ]
    if moved and submissions(activity):
        raise PeerReviewError(
            "Work has been submitted already, so group submissions can no "
            "longer be switched on or off, nor their groups changed."
        )
    if merged.get("group_submissions"):
        source_id = merged.get("groups_from")
        if not source_id or source_id not in {a.public_id for a in groups.group_sources(activity)}:
            raise PeerReviewError(
                "Choose the activity of this course whose published groups submit together."
            )
    else:
        merged["groups_from"] = None
    activity.settings = clean_settings("peer_review", merged)
    db.session.flush()
    log.info("peer review %s: settings changed", activity.public_id)
    return activity.settings
