"""Self-assessment: after submitting, the author rates their own work with the
rubric; once peer reviews are in they see their rating beside the peers' per
criterion, and the instructor sees the cohort's self-versus-peer gap (issue 20,
row 2; arithmetic in ``lti_app.domain.peer_grades.calibration``).

Setting ``self_assessment``: ``off``, ``optional``, ``required`` (then completion
waits for it). Never graded unless ``self_assessment_weight`` > 0. With it off,
nothing here touches the database.

Side effects: inserts the self-assessment and flushes; the request commits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Person
from lti_app.domain.peer_grades import GradeError
from lti_app.domain.peer_grades.calibration import CriterionGap, cohort_gap, self_accuracy, self_gap
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.calibration_models import PeerReviewSelfAssessment
from lti_app.peer_activities.peer_review.models import (
    DONE,
    PeerReviewCriterion,
    PeerReviewReview,
)
from lti_app.peer_activities.peer_review.services import roster, rubric
from lti_app.peer_activities.peer_review.services.calibrating import checked_points
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError
from lti_app.peer_activities.rich_text import rich_text

log = logging.getLogger(__name__)

OFF, OPTIONAL, REQUIRED = "off", "optional", "required"


def mode(activity: Activity) -> str:
    return str(activity.settings.get("self_assessment") or OFF)


def weight(activity: Activity) -> float:
    return int(activity.settings.get("self_assessment_weight") or 0) / 100


def graded_weight(activity: Activity) -> float:
    """The share of the reviewing grade the self-assessment makes: its weight when
    self-assessment is on, else 0 (a weight left over from before it was switched
    off counts for nothing)."""
    return weight(activity) if mode(activity) != OFF else 0


def own(activity: Activity, person: Person) -> PeerReviewSelfAssessment | None:
    found: PeerReviewSelfAssessment | None = db.session.scalar(
        select(PeerReviewSelfAssessment).where(
            PeerReviewSelfAssessment.activity_id == activity.id,
            PeerReviewSelfAssessment.person_id == person.id,
        )
    )
    return found


def completion_met(activity: Activity, person: Person) -> bool:
    """Whether self-assessment holds completion back: only when required (no
    statement otherwise)."""
    return mode(activity) != REQUIRED or own(activity, person) is not None


def save(
    activity: Activity, person: Person, points: Mapping[str, float], comment: str
) -> PeerReviewSelfAssessment:
    """Record the author's rating of their own work (once: it is compared with
    the peers' afterwards, so it cannot move towards theirs)."""
    if mode(activity) == OFF:
        raise PeerReviewError("This activity has no self-assessment.")
    sub_id = roster.own_submission_id(activity, person)
    if sub_id is None:
        raise PeerReviewError("Submit your work first; then rate it yourself.")
    if own(activity, person) is not None:
        raise PeerReviewError("You have rated your own work already.")
    rows = rubric.criteria(activity)
    total = checked_points(rows, points)
    found = PeerReviewSelfAssessment(
        activity_id=activity.id,
        person_id=person.id,
        submission_id=sub_id,
        scores={k: float(v) for k, v in points.items()},
        total=total,
        comment=rich_text(comment, limit=5000),
    )
    try:
        with db.session.begin_nested():  # a double click saves one
            db.session.add(found)
            db.session.flush()
    except IntegrityError as exc:
        raise PeerReviewError("You have rated your own work already.") from exc
    log.info("peer review %s: self-assessment saved", activity.public_id)
    return found


def _gap(
    rows: list[PeerReviewCriterion], mine: PeerReviewSelfAssessment, peers: list[dict[str, Any]]
) -> tuple[CriterionGap, ...]:
    usable = [p for p in peers if set(p) == {c.public_id for c in rows}]
    if set(mine.scores) != {c.public_id for c in rows}:
        return ()
    try:
        return self_gap(rubric.rubric_of(rows), mine.scores, usable)
    except GradeError:
        return ()


def gap_view(
    rows: list[PeerReviewCriterion], mine: PeerReviewSelfAssessment, reviews: list[PeerReviewReview]
) -> list[dict[str, Any]]:
    """The author's gap view: per criterion their rating, the peers' mean and the
    gap (names, never ids)."""
    found = _gap(rows, mine, [r.scores for r in reviews if r.status == DONE])
    return [
        {"name": c.name, "max": c.max_points, "own": g.own, "peers": g.peers, "gap": g.gap}
        for c, g in zip(rows, found, strict=False)
    ]


def _by_submission(activity: Activity) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for sid, scores in db.session.execute(
        select(PeerReviewReview.submission_id, PeerReviewReview.scores).where(
            PeerReviewReview.activity_id == activity.id, PeerReviewReview.status == DONE
        )
    ):
        found.setdefault(sid, []).append(scores)
    return found


def _all(activity: Activity) -> list[PeerReviewSelfAssessment]:
    return list(
        db.session.scalars(
            select(PeerReviewSelfAssessment).where(
                PeerReviewSelfAssessment.activity_id == activity.id
            )
        )
    )


def cohort(activity: Activity, rows: list[PeerReviewCriterion]) -> dict[str, Any]:
    """The cohort's self-versus-peer gap per criterion, for the instructor."""
    mine = _all(activity)
    peers = _by_submission(activity)
    gaps = [_gap(rows, m, peers.get(m.submission_id, [])) for m in mine]
    found = cohort_gap(gaps)
    return {
        "n_self": len(mine),
        "n_compared": sum(1 for g in gaps if g),
        "rows": [
            {"name": c.name, "max": c.max_points, "own": g.own, "peers": g.peers, "gap": g.gap}
            for c, g in zip(rows, found, strict=False)
        ],
    }


def accuracies(activity: Activity, max_total: float) -> dict[int, float]:
    """person id -> how close their self-assessment's total came to the peers'
    mean total (weighted self-assessment only)."""
    totals: dict[int, list[float]] = {}
    for sid, total in db.session.execute(
        select(PeerReviewReview.submission_id, PeerReviewReview.total).where(
            PeerReviewReview.activity_id == activity.id,
            PeerReviewReview.status == DONE,
            PeerReviewReview.total.is_not(None),
        )
    ):
        totals.setdefault(sid, []).append(float(total or 0))
    out = {}
    for m in _all(activity):
        value = self_accuracy(m.total, totals.get(m.submission_id, []), max_total)
        if value is not None:
            out[m.person_id] = value
    return out
