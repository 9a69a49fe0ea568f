"""Drive the journal through HTTP as an instructor, learners and mentors would."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_app.courses.models import Enrolment, Person
from lti_app.extensions import db
from lti_app.grades.models import Score
from lti_app.peer_activities.journal.models import JournalActionItem, JournalCheckin
from lti_app.sandbox.platform import SandboxUser
from tests.grouping.support import GroupingDriver
from tests.support.activity_driver import ActivityDriver, Visit, make_learner
from tests.support.lti import INSTRUCTOR, LtiDriver


def learner(key: str, name: str) -> SandboxUser:
    return make_learner("jr", key, name)


ASHA = learner("asha", "Asha Patel")
BRUNO = learner("bruno", "Bruno Silva")
CARLA = learner("carla", "Carla Gomez")
DEV = learner("dev", "Dev Sharma")
ELIF = learner("elif", "Elif Kaya")
FEMI = learner("femi", "Femi Adeyemi")
SIX = (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI)

APPLIED_ALL = "tried"


class JournalDriver(ActivityDriver):
    title = "My journal"

    def __init__(self, lti: LtiDriver, app: Flask):
        super().__init__(lti, app, link="journal-link")
        self.visits: dict[str, Visit] = {}
        self.staff: Visit | None = None

    # -- setting up --------------------------------------------------------------------
    def setup(self, **settings: str) -> Visit:
        self.staff = self.setup_activity("journal", link="journal-link", **settings)
        self.staff = self.enter(INSTRUCTOR)
        return self.staff

    def join(self, user: SandboxUser) -> Visit:
        visit = self.visits[user.sub] = self.enter(user)
        return visit

    def group(self, people: tuple[SandboxUser, ...]) -> GroupingDriver:
        """Group ``people`` in a role-play of the same course (published round)."""
        grouping = GroupingDriver(self.lti, self.app)
        grouping.create_activity("role_play", link="rp-link", group_size="3")
        staff = grouping.enter(INSTRUCTOR)
        for user in people:
            grouping.ready(user)
        assert grouping.form_groups(staff).status_code == 303
        rnd = grouping.rounds()[-1]
        resp = self.client.post(
            f"/g/{grouping.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
        )
        assert resp.status_code == 303, resp.get_data(as_text=True)
        return grouping

    # -- learners ----------------------------------------------------------------------
    def post(self, visit: Visit, path: str, **form: Any) -> TestResponse:
        return self.client.post(f"/j/{self.activity}/{path}", data={"t": visit.token, **form})

    def get(self, visit: Visit, path: str, **args: Any) -> TestResponse:
        return self.client.get(
            f"/j/{self.activity}/{path}", query_string={"t": visit.token, **args}
        )

    def write(
        self,
        visit: Visit,
        *responses: str,
        shared: bool = False,
        skills: str = "",
        linked: str = "",
    ) -> TestResponse:
        form: dict[str, Any] = {f"response-{n}": text for n, text in enumerate(responses)}
        form.update(skills=skills, linked_activity=linked)
        if shared:
            form["shared"] = "1"
        return self.post(visit, "entries", **form)

    def add_item(
        self, visit: Visit, what: str, by_when: str = "", evidence: str = ""
    ) -> TestResponse:
        return self.post(visit, "plan", what=what, by_when=by_when, evidence=evidence)

    def complete(self, visit: Visit, what: str = "Open every 1:1 with a question") -> None:
        assert (
            self.write(visit, "I ran the meeting.", "It mattered.", "Ask more.").status_code == 303
        )
        assert self.add_item(visit, what, evidence="My team talks more").status_code == 303

    def answer(
        self,
        visit: Visit,
        checkin_id: str,
        applied: dict[str, str] | None = None,
        *,
        barriers: tuple[str, ...] = (),
        share_with: tuple[str, ...] = (),
        confidence: int = 4,
        **extra: str,
    ) -> TestResponse:
        form: dict[str, Any] = {f"applied-{k}": v for k, v in (applied or {}).items()}
        form.update(
            barriers=list(barriers),
            share_with=list(share_with),
            confidence=str(confidence),
            **extra,
        )
        return self.post(visit, f"checkins/{checkin_id}", **form)

    def page(self, visit: Visit) -> str:  # type: ignore[override]
        resp = self.client.get(f"/a/{self.activity}", query_string={"t": visit.token})
        assert resp.status_code == 200
        return html.unescape(resp.get_data(as_text=True))

    # -- reading the database ----------------------------------------------------------
    def checkins(self, user: SandboxUser) -> list[JournalCheckin]:
        with self.app.app_context():
            rows = list(
                db.session.scalars(
                    select(JournalCheckin)
                    .join(Person, Person.id == JournalCheckin.person_id)
                    .where(Person.sub == user.sub)
                    .order_by(JournalCheckin.day)
                )
            )
            db.session.expunge_all()
            return rows

    def items(self, user: SandboxUser) -> list[str]:
        with self.app.app_context():
            ids = list(
                db.session.scalars(
                    select(JournalActionItem.public_id)
                    .join(Person, Person.id == JournalActionItem.person_id)
                    .where(Person.sub == user.sub)
                    .order_by(JournalActionItem.id)
                )
            )
            db.session.remove()
            return ids

    def person_id(self, user: SandboxUser) -> str:
        with self.app.app_context():
            found = db.session.scalar(select(Person.public_id).where(Person.sub == user.sub))
            db.session.remove()
            return str(found)

    def set_status(self, user: SandboxUser, status: str) -> None:
        with self.app.app_context():
            enrolment = db.session.scalar(
                select(Enrolment)
                .join(Person, Person.id == Enrolment.person_id)
                .where(Person.sub == user.sub)
            )
            assert enrolment is not None
            enrolment.status = status
            db.session.commit()

    def scores(self) -> list[tuple[str, float | None, int]]:
        with self.app.app_context():
            rows = db.session.execute(
                select(Person.sub, Score.score_given, Score.version).join(
                    Person, Person.id == Score.person_id
                )
            ).all()
            db.session.remove()
            return sorted((r[0], r[1], r[2]) for r in rows)


def entry_ids(page: str) -> list[str]:
    return re.findall(r'id="entry-([A-Za-z0-9]+)"', page)
