"""Calibration: the instructor's example submissions with a reference assessment,
learners' tries at them, and the gate before a learner's first real review
(issue 20, row 1; the arithmetic is ``lti_app.domain.peer_grades.calibration``).

Modes (setting ``calibration``): ``off``; ``practice`` (assess the examples once
before reviewing, not counted); ``required`` (retry until the agreement reaches
the tolerance, at most ``calibration_tries`` tries, then review anyway);
``weighted`` (one try, whose agreement feeds the accuracy part of the reviewing
grade). Reading the mode costs no statement, so with calibration off nothing here
touches the database (the hot "next review" path stays as it was).

Side effects: inserts/updates examples and tries and flushes; the request commits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Person
from lti_app.domain.peer_grades import GradeError
from lti_app.domain.peer_grades.calibration import Calibration, calibrate, within_tolerance
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.calibration_models import (
    PeerReviewCalibration,
    PeerReviewExample,
)
from lti_app.peer_activities.peer_review.levels import points_problem
from lti_app.peer_activities.peer_review.models import PeerReviewCriterion, PeerReviewReview
from lti_app.peer_activities.peer_review.services import rubric
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError
from lti_app.peer_activities.rich_text import rich_text

log = logging.getLogger(__name__)

OFF, PRACTICE, REQUIRED, WEIGHTED = "off", "practice", "required", "weighted"


def mode(activity: Activity) -> str:
    return str(activity.settings.get("calibration") or OFF)


def tolerance(activity: Activity) -> float:
    return int(activity.settings.get("calibration_tolerance", 80)) / 100


def max_tries(activity: Activity) -> int:
    """Tries allowed: only required calibration offers retries."""
    return int(activity.settings.get("calibration_tries", 3)) if mode(activity) == REQUIRED else 1


def examples(activity: Activity) -> list[PeerReviewExample]:
    return list(
        db.session.scalars(
            select(PeerReviewExample)
            .where(PeerReviewExample.activity_id == activity.id)
            .order_by(PeerReviewExample.position, PeerReviewExample.id)
        )
    )


def example_by_id(activity: Activity, example_id: str) -> PeerReviewExample | None:
    found: PeerReviewExample | None = db.session.scalar(
        select(PeerReviewExample).where(
            PeerReviewExample.activity_id == activity.id,
            PeerReviewExample.public_id == example_id,
        )
    )
    return found


def checked_points(rows: list[PeerReviewCriterion], points: Mapping[str, float]) -> float:
    """The rubric total of ``points``, refused with a readable message when a
    criterion is missing, out of range or not one of its levels."""
    names = {c.public_id: c.name for c in rows}
    try:
        total = rubric.rubric_of(rows).total(points)
    except GradeError as exc:
        text = str(exc)
        for pid, name in names.items():
            text = text.replace(pid, f"“{name}”")
        raise PeerReviewError(text[0].upper() + text[1:] + ".") from exc
    for c in rows:
        problem = points_problem(c.name, c.levels, c.max_points, float(points[c.public_id]))
        if problem:
            raise PeerReviewError(problem)
    return total


def fits(example: PeerReviewExample, rows: list[PeerReviewCriterion]) -> bool:
    """Whether the example's reference scores exactly the rubric's criteria."""
    return set(example.reference) == {c.public_id for c in rows}


def _tried(example: PeerReviewExample) -> bool:
    return (
        db.session.scalar(
            select(PeerReviewCalibration.id)
            .where(PeerReviewCalibration.example_id == example.id)
            .limit(1)
        )
        is not None
    )


def save_example(
    activity: Activity,
    example: PeerReviewExample | None,
    *,
    title: str,
    body: str,
    reference: Mapping[str, float],
    comment: str,
) -> PeerReviewExample:
    """Add an example (``example`` None) or edit one. Its reference is fixed once a
    learner has assessed it (their agreement was measured against it), unless the
    rubric changed since and it no longer fits."""
    title = title.strip()[:200]
    if not title:
        raise PeerReviewError("Give the example a title.")
    text = rich_text(body, limit=50000)
    if not text:
        raise PeerReviewError("Paste or write the example's text.")
    rows = rubric.criteria(activity)
    checked_points(rows, reference)
    if example is None:
        position = (
            db.session.scalar(
                select(func.count())
                .select_from(PeerReviewExample)
                .where(PeerReviewExample.activity_id == activity.id)
            )
            or 0
        ) + 1
        example = PeerReviewExample(activity_id=activity.id, position=position)
        db.session.add(example)
    elif fits(example, rows) and _tried(example):  # a stale reference may be redone
        raise PeerReviewError(
            "Learners have assessed this example already, so it can no longer change."
        )
    example.title = title
    example.body = text
    example.reference = {k: float(v) for k, v in reference.items()}
    example.reference_comment = rich_text(comment, limit=5000)
    db.session.flush()
    log.info("peer review %s: example %s saved", activity.public_id, example.public_id)
    return example


def delete_example(activity: Activity, example: PeerReviewExample) -> None:
    if _tried(example):
        raise PeerReviewError(
            "Learners have assessed this example already, so it can no longer be removed."
        )
    db.session.delete(example)
    db.session.flush()


@dataclass
class Standing:
    """A learner's calibration: their tries (try number -> example id -> row), the
    last try's comparison, whether they may review."""

    mode: str
    examples: list[PeerReviewExample]
    tries: dict[int, dict[int, PeerReviewCalibration]] = field(default_factory=dict)
    last: Calibration | None = None
    tolerance: float = 0.8
    max_tries: int = 1

    @property
    def n_tries(self) -> int:
        return len(self.tries)

    @property
    def passed(self) -> bool:
        if self.last is None:
            return False
        if self.mode != REQUIRED:
            return True
        return within_tolerance(self.last.agreement, self.tolerance)

    @property
    def can_retry(self) -> bool:
        return self.mode == REQUIRED and not self.passed and 0 < self.n_tries < self.max_tries

    @property
    def done(self) -> bool:
        """May review: no examples, or calibrated (passed, or out of tries)."""
        return not self.examples or self.passed or self.n_tries >= self.max_tries

    @property
    def first_agreement(self) -> float | None:
        """The first try's agreement (what weighted calibration counts)."""
        first = self.tries.get(1)
        if not first:
            return None
        return sum(r.agreement for r in first.values()) / len(first)


def standing(
    activity: Activity, person: Person, rows: list[PeerReviewCriterion] | None = None
) -> Standing:
    """A learner's calibration. Examples whose reference no longer fits the rubric
    (it changed after they were made, before any review) are left out until the
    instructor saves a new reference: nobody is held back by them."""
    rows = rows if rows is not None else rubric.criteria(activity)
    found = Standing(
        mode(activity),
        [e for e in examples(activity) if fits(e, rows)],
        tolerance=tolerance(activity),
        max_tries=max_tries(activity),
    )
    if not found.examples:
        return found
    for row in db.session.scalars(
        select(PeerReviewCalibration)
        .where(
            PeerReviewCalibration.activity_id == activity.id,
            PeerReviewCalibration.person_id == person.id,
        )
        .order_by(PeerReviewCalibration.attempt)
    ):
        found.tries.setdefault(row.attempt, {})[row.example_id] = row
    if found.tries:
        latest = found.tries[max(found.tries)]
        found.last = _compare(rows, found.examples, latest)
    return found


def _compare(
    rows: list[PeerReviewCriterion],
    exs: list[PeerReviewExample],
    tried: Mapping[int, PeerReviewCalibration],
) -> Calibration | None:
    pairs = {
        str(e.id): (tried[e.id].scores, e.reference)
        for e in exs
        if e.id in tried and set(tried[e.id].scores) == set(e.reference)
    }
    if not pairs:
        return None
    try:
        return calibrate(rubric.rubric_of(rows), pairs)
    except GradeError:  # the rubric changed since (only possible before any review)
        return None


def gate(activity: Activity, person: Person) -> bool:
    """Whether ``person`` must calibrate before their next review. No statement
    with calibration off."""
    if mode(activity) == OFF or standing(activity, person).done:
        return False
    started = db.session.scalar(
        select(PeerReviewReview.id)
        .where(
            PeerReviewReview.activity_id == activity.id, PeerReviewReview.reviewer_id == person.id
        )
        .limit(1)
    )
    return started is None  # only before the first real review


def submit_try(
    activity: Activity, person: Person, points: Mapping[str, Mapping[str, float]]
) -> Standing:
    """Save a try: ``points`` maps each example's public id to the learner's
    points. Refused when there is nothing to calibrate, the learner is done, or a
    rating is invalid."""
    if mode(activity) == OFF:
        raise PeerReviewError("This activity has no calibration step.")
    rows = rubric.criteria(activity)
    before = standing(activity, person, rows)
    if not before.examples:
        raise PeerReviewError("There are no examples to assess yet.")
    if before.n_tries and not before.can_retry:
        raise PeerReviewError("You have finished calibrating; go on to review your peers.")
    attempt = before.n_tries + 1
    made = []
    for e in before.examples:
        given = points.get(e.public_id)
        if given is None:
            raise PeerReviewError(f"Assess “{e.title}” too.")
        checked_points(rows, given)
        one = calibrate(rubric.rubric_of(rows), {str(e.id): (given, e.reference)})
        made.append(
            PeerReviewCalibration(
                activity_id=activity.id,
                example_id=e.id,
                person_id=person.id,
                attempt=attempt,
                scores={k: float(v) for k, v in given.items()},
                agreement=one.agreement,
            )
        )
    try:
        with db.session.begin_nested():  # a double click saves one try
            db.session.add_all(made)
            db.session.flush()
    except IntegrityError as exc:
        raise PeerReviewError("This try was saved already; see the comparison below.") from exc
    log.info("peer review %s: calibration try %d saved", activity.public_id, attempt)
    return standing(activity, person, rows)


def first_agreements(activity: Activity) -> dict[int, float]:
    """person id -> their first try's agreement (weighted calibration)."""
    per: dict[int, list[float]] = {}
    for pid, value in db.session.execute(
        select(PeerReviewCalibration.person_id, PeerReviewCalibration.agreement).where(
            PeerReviewCalibration.activity_id == activity.id, PeerReviewCalibration.attempt == 1
        )
    ):
        per.setdefault(pid, []).append(float(value))
    return {pid: sum(v) / len(v) for pid, v in per.items()}


def cohort(activity: Activity, people: list[Person]) -> list[dict[str, Any]]:
    """Who calibrated how well, for the instructor: tries, first and last agreement,
    within tolerance."""
    tol = tolerance(activity)
    per: dict[int, dict[int, list[float]]] = {}
    for pid, attempt, value in db.session.execute(
        select(
            PeerReviewCalibration.person_id,
            PeerReviewCalibration.attempt,
            PeerReviewCalibration.agreement,
        ).where(PeerReviewCalibration.activity_id == activity.id)
    ):
        per.setdefault(pid, {}).setdefault(attempt, []).append(float(value))
    out = []
    for p in people:
        tries = per.get(p.id, {})
        means = [sum(v) / len(v) for _, v in sorted(tries.items())]
        out.append(
            {
                "key": str(p.id),  # as the reviewer flags name reviewers
                "name": p.display_name,
                "tries": len(means),
                "first": means[0] if means else None,
                "last": means[-1] if means else None,
                "within": bool(means) and within_tolerance(means[-1], tol),
            }
        )
    return out
