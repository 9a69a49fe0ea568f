"""Drive role-play through HTTP: an instructor writes a scenario and checklist,
learners get grouped (via the grouping flow), then play rounds."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.grades.models import Score
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play.models import RolePlayRound
from lti_app.sandbox.platform import SandboxUser
from tests.grouping.support import GroupingDriver, Visit
from tests.support.lti import INSTRUCTOR

CARDS = {
    "practitioner": "PRACTITIONER-CARD-{n}: open with a question",
    "client": "CLIENT-CARD-{n}: you are worried about budget",
    "observer": "OBSERVER-CARD-{n}: watch for open questions",
}


def card(role: str, n: int) -> str:
    """The card text of ``role`` in scenario ``n`` (1-based)."""
    return CARDS[role].format(n=n)


def text(page: str) -> str:
    """What a page says, without its markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split()).replace(" .", ".")


CHECKLIST = "Questioning: asks open questions\nEmpathy: names the client's feeling"


@dataclass
class RoundInfo:
    public_id: str
    number: int
    status: str
    #: sub → role
    roles: dict[str, str]

    def who(self, role: str) -> list[str]:
        return sorted(sub for sub, r in self.roles.items() if r == role)


class RolePlayDriver:
    def __init__(self, grouping: GroupingDriver):
        self.g = grouping
        self.client = grouping.client
        self.app = grouping.app
        self.visits: dict[str, Visit] = {}
        self.staff: Visit | None = None

    @property
    def activity(self) -> str:
        return self.g.activity

    def setup(
        self,
        people: tuple[SandboxUser, ...],
        *,
        group_size: str = "3",
        rounds: str = "",
        scenarios: int = 1,
        **settings: str,
    ) -> Visit:
        """Activity, scenario and checklist by the instructor; learners ready and
        grouped in a published round. Returns the instructor's visit. ``rounds``
        blank: the default, one round per member."""
        self.g.create_activity("role_play", group_size=group_size, rounds=rounds, **settings)
        staff = self.staff = self.g.enter(INSTRUCTOR)
        for n in range(1, scenarios + 1):
            resp = self.post(
                staff,
                "scenarios",
                title=f"Budget talk {n}",
                **{f"{role}_card": card(role, n) for role in CARDS},
            )
            assert resp.status_code == 303, resp.get_data(as_text=True)
        assert self.post(staff, "checklist", checklist=CHECKLIST).status_code == 303
        for user in people:
            self.visits[user.sub] = self.g.ready(user)
        assert self.g.form_groups(staff).status_code == 303
        rnd = self.g.rounds()[-1]
        resp = self.client.post(
            f"/g/{self.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
        )
        assert resp.status_code == 303, resp.get_data(as_text=True)
        return staff

    def post(self, visit: Visit, path: str, **form: Any) -> TestResponse:
        return self.client.post(f"/rp/{self.activity}/{path}", data={"t": visit.token, **form})

    def page(self, who: Visit | SandboxUser) -> str:
        visit = who if isinstance(who, Visit) else self.visits[who.sub]
        return self.g.page(visit)

    def visit(self, sub: str) -> Visit:
        return self.visits[sub]

    def rounds_of(self, user: SandboxUser) -> list[RoundInfo]:
        """The rounds the user has a seat in (their page plans them on first look)."""
        found = self._rounds_of(user)
        if not found:
            self.page(user)
            found = self._rounds_of(user)
        return found

    def _rounds_of(self, user: SandboxUser) -> list[RoundInfo]:
        with self.app.app_context():
            person = db.session.scalar(select(Person).where(Person.sub == user.sub))
            found = db.session.scalars(
                select(RolePlayRound)
                .join(Activity, Activity.id == RolePlayRound.activity_id)
                .where(
                    Activity.public_id == self.activity,
                    RolePlayRound.seats.any(person_id=person.id),
                )
                .order_by(RolePlayRound.number)
            ).all()
            result = [
                RoundInfo(r.public_id, r.number, r.status, {s.person.sub: s.role for s in r.seats})
                for r in found
            ]
            db.session.remove()
            return result

    def items(self) -> list[str]:
        from lti_app.peer_activities.role_play.models import RolePlayChecklistItem

        with self.app.app_context():
            ids = list(
                db.session.scalars(
                    select(RolePlayChecklistItem.public_id).order_by(RolePlayChecklistItem.position)
                )
            )
            db.session.remove()
            return ids

    def ratings(self, value: int) -> dict[str, str]:
        return {f"rating-{i}": str(value) for i in self.items()}

    def act(self, sub: str, rnd: RoundInfo, action: str, **form: Any) -> TestResponse:
        return self.post(self.visits[sub], f"rounds/{rnd.public_id}/{action}", **form)

    def play_round(self, rnd: RoundInfo, *, observer_rating: int = 3, self_rating: int = 4) -> None:
        """Start, end, every feedback giver's checklist, the practitioner's self-rating."""
        practitioner = rnd.who("practitioner")[0]
        assert self.act(practitioner, rnd, "start").status_code == 303
        assert self.act(practitioner, rnd, "end").status_code == 303
        givers = rnd.who("observer") or rnd.who("client")
        for sub in givers:
            resp = self.act(
                sub,
                rnd,
                "feedback",
                feedback="Two things worked well.",
                **self.ratings(observer_rating),
            )
            assert resp.status_code == 303, resp.get_data(as_text=True)
        resp = self.act(practitioner, rnd, "self", **self.ratings(self_rating))
        assert resp.status_code == 303, resp.get_data(as_text=True)

    def scores(self) -> list[tuple[str, float | None, int]]:
        """(sub, score given, version) of every score in the grade outbox; the
        version goes up each time a score is (re)queued for delivery."""
        with self.app.app_context():
            rows = db.session.execute(
                select(Person.sub, Score.score_given, Score.version).join(
                    Person, Person.id == Score.person_id
                )
            ).all()
            db.session.remove()
            return sorted((r[0], r[1], r[2]) for r in rows)
