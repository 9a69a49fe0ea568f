"""Driving the score outbox in tests: record, deliver, let time pass."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select, update

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.grades import delivery
from lti_app.grades.models import COMPLETION, PENDING, Score
from lti_app.grades.services import line_item_for, record_score
from lti_app.peer_activities.models import Activity
from tests.support.lms_services import CourseSetup, ServicesLms, generated_learners, setup_course


def start(
    app: Flask, make_lms: Any, learners: int = 5, **kw: Any
) -> tuple[ServicesLms, CourseSetup, list[Any]]:
    users = generated_learners(learners)
    lms = make_lms(users)
    with app.app_context():
        setup = setup_course(lms, users, **kw)
    return lms, setup, users


def record(
    app: Flask,
    setup: CourseSetup,
    sub: str,
    value: float | None,
    *,
    kind: str = COMPLETION,
    comment: str = "",
    maximum: float | None = None,
    **kw: Any,
) -> Score | None:
    with app.app_context():
        activity = db.session.get(Activity, setup.activity_id)
        person = db.session.get(Person, setup.learner_ids[sub])
        assert activity is not None and person is not None
        row = record_score(
            line_item_for(activity, kind),
            person,
            score_given=value,
            score_maximum=maximum,
            comment=comment,
            **kw,
        )
        db.session.commit()
        return row


def deliver(app: Flask) -> delivery.Report:
    with app.app_context():
        report = delivery.deliver_batch()
        db.session.remove()
        return report


def time_passes(app: Flask) -> None:
    """Every waiting score becomes due now (as if its backoff had elapsed)."""
    with app.app_context():
        db.session.execute(
            update(Score).where(Score.status == PENDING).values(next_attempt_at=utcnow())
        )
        db.session.commit()


def settle(app: Flask, rounds: int = 30) -> delivery.Report:
    """Deliver, letting backoff elapse, until nothing is waiting."""
    total = delivery.Report()
    for _ in range(rounds):
        total.add(deliver(app))
        if not scores(app, status=PENDING):
            return total
        time_passes(app)
    return total


def scores(app: Flask, **where: Any) -> list[Score]:
    with app.app_context():
        stmt = select(Score)
        for key, value in where.items():
            stmt = stmt.where(getattr(Score, key) == value)
        rows = list(db.session.scalars(stmt.order_by(Score.id)))
        db.session.expunge_all()
        return rows


def send_grades(app: Flask, client: Any, activity: str, token: str, **form: str) -> Any:
    """An instructor's "Send grades" (nothing for non-starters unless ``non_starters=
    "zero"``), then the background run it asked for, here (jobs are off in tests)."""
    from lti_app import jobs
    from lti_app.grades.publishing import PUBLISH

    dispatcher = app.extensions["peerlift.jobs"]
    before = len(dispatcher.sent)
    resp = client.post(
        f"/a/{activity}/grades/send", data={"t": token, "non_starters": "leave", **form}
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    for name, kwargs in dispatcher.sent[before:]:
        if name == PUBLISH:
            from lti_app.jobs.runners import run_job

            run_job(app, name, kwargs)
    assert jobs.handlers()[PUBLISH]
    return resp
