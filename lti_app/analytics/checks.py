"""Objectives, pre/post checks and the scores they send to the gradebook.

Services flush and leave the commit to the request boundary; scores go through
the grades outbox (delivered after commit).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func, literal, select
from sqlalchemy.orm import aliased

from lti_app.analytics.models import (
    KNOWLEDGE,
    POST,
    PRE,
    SELF,
    AnalyticsFeedback,
    AnalyticsItem,
    AnalyticsResponse,
    AnalyticsSetup,
)
from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.domain.analytics_measures import CheckItem, MeasureInputError, score_check
from lti_app.domain.learning_gain import normalized_change
from lti_app.extensions import db
from lti_app.grades.learning_scores import record_check_scores

log = logging.getLogger(__name__)

MAX_ITEMS = 40
MAX_OBJECTIVES = 12


class CheckError(ValueError):
    """A refused change, with the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


# -- configuration (staff) ------------------------------------------------------------


def setup_of(activity: Any, *, create: bool = False) -> AnalyticsSetup | None:
    found: AnalyticsSetup | None = db.session.scalar(
        select(AnalyticsSetup).where(AnalyticsSetup.activity_id == activity.id)
    )
    if found is None and create:
        found = AnalyticsSetup(
            activity_id=activity.id,
            objectives=[],
            retrospective=False,
            post_open=False,
            ceiling=0.9,
        )
        db.session.add(found)
        db.session.flush()
    return found


def items_of(activity_id: int) -> list[AnalyticsItem]:
    return list(
        db.session.scalars(
            select(AnalyticsItem)
            .where(AnalyticsItem.activity_id == activity_id)
            .order_by(AnalyticsItem.position, AnalyticsItem.id)
        )
    )


def responses_exist(activity_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(AnalyticsResponse)
            .where(AnalyticsResponse.activity_id == activity_id)
        )
    )


def save_setup(
    activity: Any, *, objectives: list[str], retrospective: bool, ceiling_percent: int
) -> AnalyticsSetup:
    """Objectives and options. The ceiling cannot move once anyone has answered
    (it would change what earlier scores meant)."""
    cleaned = [o.strip()[:500] for o in objectives if o.strip()]
    if len(cleaned) > MAX_OBJECTIVES:
        raise CheckError(f"At most {MAX_OBJECTIVES} objectives, please.")
    if not 50 <= ceiling_percent <= 100:
        raise CheckError("The ceiling must be between 50% and 100%.")
    setup = setup_of(activity, create=True)
    assert setup is not None
    if abs(setup.ceiling - ceiling_percent / 100) > 1e-9 and responses_exist(activity.id):
        raise CheckError("The ceiling cannot change once learners have answered.", 409)
    setup.objectives = cleaned
    setup.retrospective = retrospective
    setup.ceiling = ceiling_percent / 100
    db.session.flush()
    log.info("analytics: setup saved for activity %s", activity.public_id)
    return setup


def add_item(
    activity: Any, *, kind: str, prompt: str, options: list[str], correct: int | None
) -> AnalyticsItem:
    """A knowledge item (2–8 options, one correct) or a 1–5 self-assessment scale.
    Items are locked once anyone has answered: pre and post must be the same form."""
    if responses_exist(activity.id):
        raise CheckError("Learners have answered already: the checks can no longer change.", 409)
    prompt = prompt.strip()
    if kind not in (KNOWLEDGE, SELF):
        raise CheckError("Choose a knowledge question or a self-assessment scale.")
    if not prompt:
        raise CheckError("Write the question.")
    existing = items_of(activity.id)
    if len(existing) >= MAX_ITEMS:
        raise CheckError(f"At most {MAX_ITEMS} items, please.")
    if kind == KNOWLEDGE:
        options = [o.strip()[:500] for o in options if o.strip()]
        if not 2 <= len(options) <= 8:
            raise CheckError("A knowledge question needs 2 to 8 options, one per line.")
        if correct is None or not 0 <= correct < len(options):
            raise CheckError("Say which option is correct (its number).")
    else:
        options, correct = [], None  # a scale is never scored
    setup_of(activity, create=True)
    item = AnalyticsItem(
        activity_id=activity.id,
        kind=kind,
        prompt=prompt[:2000],
        options=options,
        correct=correct,
        position=max((i.position for i in existing), default=0) + 1,
    )
    db.session.add(item)
    db.session.flush()
    return item


def delete_item(activity: Any, item_id: str) -> None:
    if responses_exist(activity.id):
        raise CheckError("Learners have answered already: the checks can no longer change.", 409)
    item = db.session.scalar(
        select(AnalyticsItem).where(
            AnalyticsItem.activity_id == activity.id, AnalyticsItem.public_id == item_id
        )
    )
    if item is None:
        raise CheckError("No such item.", 404)
    db.session.delete(item)
    db.session.flush()


def set_post_open(activity: Any, is_open: bool) -> AnalyticsSetup:
    """Open (or close again) the post-check and the feedback survey; the pre-check
    is closed while the post-check is open."""
    setup = setup_of(activity, create=True)
    assert setup is not None
    setup.post_open = is_open
    if is_open and setup.post_opened_at is None:
        setup.post_opened_at = utcnow()
    db.session.flush()
    return setup


# -- learners -------------------------------------------------------------------------


def response_of(activity_id: int, person_id: int, phase: str) -> AnalyticsResponse | None:
    found: AnalyticsResponse | None = db.session.scalar(
        select(AnalyticsResponse).where(
            AnalyticsResponse.activity_id == activity_id,
            AnalyticsResponse.person_id == person_id,
            AnalyticsResponse.phase == phase,
        )
    )
    return found


def _parse(form: Mapping[str, str], prefix: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, value in form.items():
        if key.startswith(prefix) and value.strip():
            try:
                found[key[len(prefix) :]] = int(value)
            except ValueError as exc:
                raise CheckError("An answer is not valid.") from exc
    return found


def submit_check(
    activity: Any, person: Person, phase: str, form: Mapping[str, str]
) -> AnalyticsResponse:
    """Score and keep a learner's check (once per phase). Submitting the post-check
    sends mastery and learning gain to the gradebook (side effect: score outbox)."""
    setup = setup_of(activity)
    items = items_of(activity.id)
    if setup is None or not items:
        raise CheckError("This activity has no checks.", 404)
    if phase == PRE and setup.post_open:
        raise CheckError("The pre-check has closed.", 409)
    if phase == POST and not setup.post_open:
        raise CheckError("The post-check is not open yet.", 409)
    if response_of(activity.id, person.id, phase) is not None:
        raise CheckError("You have already submitted this check.", 409)
    answers = _parse(form, "item-")
    retro = _parse(form, "then-") if (phase == POST and setup.retrospective) else None
    try:
        scored = score_check(
            [CheckItem(i.public_id, i.kind, len(i.options), i.correct) for i in items],
            answers,
            retro,
        )
    except MeasureInputError as exc:
        raise CheckError(str(exc)) from exc
    stored: dict[str, Any] = {i.public_id: answers[i.public_id] for i in items}
    if retro is not None:
        stored.update({f"then:{i.public_id}": retro[i.public_id] for i in items if i.kind == SELF})
    row = AnalyticsResponse(
        activity_id=activity.id,
        person_id=person.id,
        phase=phase,
        answers=stored,
        score=scored.score,
        maximum=scored.maximum,
        self_mean=scored.self_mean,
        retro_mean=scored.retro_mean,
        submitted_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    if phase == POST:
        send_scores(activity, person, row, setup)
    log.info("analytics: %s-check of %s in %s", phase, person.public_id, activity.public_id)
    return row


def send_scores(
    activity: Any, person: Person, post: AnalyticsResponse, setup: AnalyticsSetup
) -> None:
    """Mastery and learning gain of one learner into the grades outbox (written by
    ``grades.learning_scores``). Only
    knowledge items count: a check of self-assessment scales sends nothing. No
    pre-check: mastery only (gain is not measured, never imputed)."""
    if post.score is None or post.maximum is None or activity.course_id is None:
        return
    pre = response_of(activity.id, person.id, PRE)
    pre_score = pre.score if pre is not None and pre.maximum == post.maximum else None
    record_check_scores(
        activity,
        person,
        pre_score=pre_score,
        post_score=post.score,
        maximum=post.maximum,
        ceiling=setup.ceiling,
    )


# -- what the activity page shows -----------------------------------------------------


@dataclass
class LearnerView:
    setup: AnalyticsSetup | None
    items: list[AnalyticsItem]
    pre: AnalyticsResponse | None
    post: AnalyticsResponse | None
    feedback: AnalyticsFeedback | None

    @property
    def has_checks(self) -> bool:
        return bool(self.items)

    @property
    def pre_open(self) -> bool:
        return (
            self.has_checks
            and self.setup is not None
            and not self.setup.post_open
            and self.pre is None
        )

    @property
    def post_open(self) -> bool:
        return (
            self.has_checks
            and self.setup is not None
            and self.setup.post_open
            and self.post is None
        )

    @property
    def survey_open(self) -> bool:
        return self.setup is not None and self.setup.post_open

    @property
    def change(self) -> float | None:
        """The learner's own normalised change, once both checks are scored."""
        pre, post = self.pre, self.post
        if (
            pre is None
            or post is None
            or pre.score is None
            or post.score is None
            or not post.maximum
            or pre.maximum != post.maximum
        ):
            return None
        return normalized_change(pre.score, post.score, post.maximum)

    @property
    def self_items(self) -> list[AnalyticsItem]:
        return [i for i in self.items if i.kind == SELF]


def learner_view(activity: Any, person: Person) -> LearnerView:
    """What the learner's part of the activity page reads, in one statement (it is
    on every activity page a learner opens): one row per item (or one row when
    there is none), with the setup, both responses and the feedback alongside."""
    rows = db.session.execute(
        _learner_view_stmt(), {"activity": activity.id, "person": person.id}
    ).all()
    setup, _, pre, post, feedback = rows[0]
    return LearnerView(
        setup=setup,
        items=[r[1] for r in rows if r[1] is not None],
        pre=pre,
        post=post,
        feedback=feedback,
    )


@functools.cache
def _learner_view_stmt() -> Any:
    """Built once (construction costs more than execution)."""
    activity, person = bindparam("activity", type_=Integer), bindparam("person", type_=Integer)
    pre, post = aliased(AnalyticsResponse), aliased(AnalyticsResponse)
    anchor = select(literal(1).label("one")).subquery()
    return (
        select(AnalyticsSetup, AnalyticsItem, pre, post, AnalyticsFeedback)
        .select_from(anchor)
        .outerjoin(AnalyticsSetup, AnalyticsSetup.activity_id == activity)
        .outerjoin(AnalyticsItem, AnalyticsItem.activity_id == activity)
        .outerjoin(
            pre, and_(pre.activity_id == activity, pre.person_id == person, pre.phase == PRE)
        )
        .outerjoin(
            post, and_(post.activity_id == activity, post.person_id == person, post.phase == POST)
        )
        .outerjoin(
            AnalyticsFeedback,
            and_(AnalyticsFeedback.activity_id == activity, AnalyticsFeedback.person_id == person),
        )
        .order_by(AnalyticsItem.position, AnalyticsItem.id)
    )
