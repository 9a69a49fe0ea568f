"""Drive the grouping flow through HTTP as an instructor and learners would."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingRound
from lti_app.sandbox.platform import SandboxUser
from tests.support.activity_driver import ActivityDriver, Visit, make_learner
from tests.support.lti import LtiDriver

OTHER_COURSE = {"id": "other-course-2", "label": "OTH-2", "title": "Another course"}


def learner(key: str, name: str) -> SandboxUser:
    return make_learner("grp", key, name)


ASHA = learner("asha", "Asha Patel")
BRUNO = learner("bruno", "Bruno Silva")
CARLA = learner("carla", "Carla Gomez")
DEV = learner("dev", "Dev Sharma")
ELIF = learner("elif", "Elif Kaya")
FEMI = learner("femi", "Femi Adeyemi")
GRETA = learner("greta", "Greta Lind")
HUGO = learner("hugo", "Hugo Martin")
PEOPLE = (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, GRETA, HUGO)


class GroupingDriver(ActivityDriver):
    def __init__(self, lti: LtiDriver, app: Flask):
        super().__init__(lti, app, link="")

    def create_activity(
        self,
        activity_type: str = "role_play",
        *,
        link: str = "grp-link",
        context: dict[str, Any] | None = None,
        **settings: str,
    ) -> str:
        """An instructor adds a link and sets it up as a group activity; returns its id."""
        self.setup_activity(activity_type, link=link, context=context, **settings)
        return self.activity

    # -- learners ------------------------------------------------------------------
    def answer(self, visit: Visit, **fields: Any) -> TestResponse:
        data: dict[str, Any] = {
            "t": visit.token,
            "role_title": "Team lead",
            "level": "2",
            "years": "5",
            "function": "Operations",
            "organisation": "Acme",
            "challenges": ["Budget cuts"],
            "challenge_other": "",
            "reports_to": "",
            "reports_to_text": "",
        }
        data.update(fields)
        return self.client.post(f"/g/{self.activity}/intake", data=data)

    def accept(self, visit: Visit, version: int = 1) -> TestResponse:
        return self.client.post(
            f"/g/{self.activity}/agreement/accept", data={"t": visit.token, "version": str(version)}
        )

    def ready(self, user: SandboxUser, **fields: Any) -> Visit:
        """A learner launches, answers the intake and accepts the agreement."""
        visit = self.enter(user)
        assert self.answer(visit, **fields).status_code == 303
        assert self.accept(visit).status_code == 303
        return visit

    # -- instructor ----------------------------------------------------------------
    def form_groups(self, staff: Visit, **options: str) -> TestResponse:
        return self.client.post(
            f"/g/{self.activity}/rounds",
            data={"t": staff.token, "organisations": "ignore", **options},
        )

    def rounds(self) -> list[GroupingRound]:
        with self.app.app_context():
            rows = db.session.scalars(select(GroupingRound).order_by(GroupingRound.id)).all()
            for r in rows:  # load what tests read, before the session closes
                for grp in r.groups:
                    _ = [m.person.name for m in grp.members]
            db.session.expunge_all()
            return list(rows)

    def groups(self) -> list[list[str]]:
        """The latest round's groups, as member names."""
        latest = self.rounds()[-1]
        return [sorted(m.person.name or "" for m in g.members) for g in latest.groups]

    def person_id(self, user: SandboxUser) -> str:
        with self.app.app_context():
            return db.session.scalar(select(Person.public_id).where(Person.sub == user.sub))

    def group_id_of(self, user: SandboxUser) -> str:
        latest = self.rounds()[-1]
        for grp in latest.groups:
            if any(m.person.sub == user.sub for m in grp.members):
                return grp.public_id
        raise AssertionError(f"{user.name} is in no group")

    def lock(self, staff: Visit, group_id: str, locked: bool = True) -> TestResponse:
        rnd = self.rounds()[-1]
        return self.client.post(
            f"/g/{self.activity}/rounds/{rnd.public_id}/groups/{group_id}/lock",
            data={"t": staff.token, "locked": "1" if locked else "0"},
        )

    def group_row(self, group_id: str) -> GroupingGroup:
        with self.app.app_context():
            row = db.session.scalar(
                select(GroupingGroup).where(GroupingGroup.public_id == group_id)
            )
            db.session.expunge_all()
            return row
