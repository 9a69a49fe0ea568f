"""Drive learning checks through HTTP as an instructor and learners would, on a
journal activity of the sandbox course."""

from __future__ import annotations

import html
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_app.analytics.models import AnalyticsItem
from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.grades.models import LineItem, Score
from lti_app.sandbox.platform import SandboxUser
from tests.support.activity_driver import ActivityDriver, Visit, make_learner
from tests.support.lti import INSTRUCTOR, LtiDriver


def learner(key: str, name: str) -> SandboxUser:
    return make_learner("an", key, name)


ANA = learner("ana", "Ana Lima")
BEN = learner("ben", "Ben Okafor")
CHLOE = learner("chloe", "Chloe Martin")
DIEGO = learner("diego", "Diego Ruiz")
EMMA = learner("emma", "Emma Novak")
FARID = learner("farid", "Farid Haddad")


class ChecksDriver(ActivityDriver):
    title = "Coaching conversations"

    def __init__(self, lti: LtiDriver, app: Flask):
        super().__init__(lti, app, link="checks-link")
        self.staff: Visit | None = None
        self.visits: dict[str, Visit] = {}

    def setup(self) -> Visit:
        self.setup_activity("journal", link="checks-link")
        self.staff = self.enter(INSTRUCTOR)
        return self.staff

    def post(self, visit: Visit, path: str, **form: Any) -> TestResponse:
        return self.client.post(f"/an/{self.activity}/{path}", data={"t": visit.token, **form})

    def get(self, visit: Visit, path: str, **args: Any) -> TestResponse:
        return self.client.get(f"/an/{path}", query_string={"t": visit.token, **args})

    # -- staff -------------------------------------------------------------------------
    def add_knowledge(self, n: int = 10) -> None:
        assert self.staff is not None
        for i in range(n):
            resp = self.post(
                self.staff,
                "items",
                kind="knowledge",
                prompt=f"Question {i + 1}",
                options="Right\nWrong\nAlso wrong",
                correct="1",
            )
            assert resp.status_code == 303, resp.get_data(as_text=True)

    def add_scale(self, prompt: str = "I can open a hard conversation") -> TestResponse:
        assert self.staff is not None
        return self.post(self.staff, "items", kind="self", prompt=prompt)

    def open_post(self, is_open: bool = True) -> None:
        assert self.staff is not None
        resp = self.post(self.staff, "post-open", open="1" if is_open else "0")
        assert resp.status_code == 303

    # -- learners ----------------------------------------------------------------------
    def join(self, user: SandboxUser) -> Visit:
        visit = self.visits[user.sub] = self.enter(user)
        return visit

    def items(self) -> list[AnalyticsItem]:
        with self.app.app_context():
            rows = list(db.session.scalars(select(AnalyticsItem).order_by(AnalyticsItem.id)))
            db.session.expunge_all()
            return rows

    def answers(self, right: int, *, rating: int = 3, then: int | None = None) -> dict[str, str]:
        """``right`` knowledge items answered correctly (the rest wrong)."""
        form: dict[str, str] = {}
        done = 0
        for item in self.items():
            if item.kind == "knowledge":
                form[f"item-{item.public_id}"] = "0" if done < right else "1"
                done += 1
            else:
                form[f"item-{item.public_id}"] = str(rating)
                if then is not None:
                    form[f"then-{item.public_id}"] = str(then)
        return form

    def check(self, user: SandboxUser, phase: str, right: int, **kw: Any) -> TestResponse:
        visit = self.visits.get(user.sub) or self.join(user)
        return self.post(visit, f"checks/{phase}", **self.answers(right, **kw))

    def feedback(self, user: SandboxUser, satisfaction: int, **form: Any) -> TestResponse:
        visit = self.visits.get(user.sub) or self.join(user)
        return self.post(visit, "feedback", satisfaction=str(satisfaction), **form)

    def page(self, visit: Visit) -> str:  # type: ignore[override]
        resp = self.client.get(f"/a/{self.activity}", query_string={"t": visit.token})
        assert resp.status_code == 200
        return html.unescape(resp.get_data(as_text=True))

    # -- reading the gradebook outbox --------------------------------------------------
    def scores(self) -> dict[tuple[str, str], tuple[float | None, str]]:
        """(learner sub, line item kind) → (score given, comment)."""
        with self.app.app_context():
            rows = db.session.execute(
                select(Person.sub, LineItem.kind, Score.score_given, Score.comment)
                .join(Person, Person.id == Score.person_id)
                .join(LineItem, LineItem.id == Score.line_item_id)
            ).all()
            db.session.remove()
            return {(sub, kind): (given, comment) for sub, kind, given, comment in rows}

    def line_items(self) -> dict[str, tuple[str, str]]:
        with self.app.app_context():
            rows = db.session.execute(select(LineItem.kind, LineItem.tag, LineItem.label)).all()
            db.session.remove()
            return {kind: (tag, label) for kind, tag, label in rows}
