"""Drive case discussions through HTTP: an instructor writes the case, learners
get grouped (via the grouping flow), then discuss in their group's threads."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.grades.models import Score
from lti_app.peer_activities.case_discussion.models import (
    CaseDiscussionPost,
    CaseDiscussionRound,
    CaseDiscussionThread,
)
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember
from lti_app.sandbox.platform import SandboxUser
from tests.grouping.support import GroupingDriver, Visit
from tests.support.lti import INSTRUCTOR


class DiscussionDriver:
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
        group_size: str = "4",
        case: bool = True,
        **settings: str,
    ) -> Visit:
        """Activity and case by the instructor; learners ready and grouped in a
        published round. Returns the instructor's visit."""
        self.g.create_activity("case_discussion", group_size=group_size, **settings)
        staff = self.staff = self.g.enter(INSTRUCTOR)
        if case:
            resp = self.post(
                staff,
                "case",
                title="The budget freeze",
                body="<p>Your unit's budget is frozen mid-year.</p>",
                links="Guide | https://example.org/guide",
            )
            assert resp.status_code == 303, resp.get_data(as_text=True)
        for user in people:
            self.visits[user.sub] = self.g.ready(user)
        assert self.g.form_groups(staff).status_code == 303
        rnd = self.g.rounds()[-1]
        resp = self.client.post(
            f"/g/{self.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
        )
        assert resp.status_code == 303, resp.get_data(as_text=True)
        return staff

    # -- HTTP ----------------------------------------------------------------------------
    def post(self, visit: Visit, path: str, **form: Any) -> TestResponse:
        return self.client.post(f"/cd/{self.activity}/{path}", data={"t": visit.token, **form})

    def get(self, visit: Visit, path: str, **args: Any) -> TestResponse:
        return self.client.get(
            f"/cd/{self.activity}/{path}", query_string={"t": visit.token, **args}
        )

    def visit(self, who: SandboxUser | Visit) -> Visit:
        return who if isinstance(who, Visit) else self.visits[who.sub]

    def page(self, who: SandboxUser | Visit) -> str:
        return self.g.page(self.visit(who))

    def start_thread(
        self, who: SandboxUser | Visit, title: str, body: str, group: str | None = None
    ) -> TestResponse:
        group = group or self.group_of(who)
        return self.post(self.visit(who), f"groups/{group}/threads", title=title, body=body)

    def new_thread(
        self,
        who: SandboxUser | Visit,
        title: str = "First thoughts",
        body: str = "Where do we start?",
    ) -> str:
        resp = self.start_thread(who, title, body)
        assert resp.status_code == 303, resp.get_data(as_text=True)
        match = re.search(r"/threads/([A-Za-z0-9]+)", resp.headers["Location"])
        assert match is not None
        return match.group(1)

    def reply(self, who: SandboxUser | Visit, thread: str, body: str) -> TestResponse:
        return self.post(self.visit(who), f"threads/{thread}/posts", body=body)

    def thread_page(self, who: SandboxUser | Visit, thread: str, **args: Any) -> TestResponse:
        return self.get(self.visit(who), f"threads/{thread}", **args)

    # -- database reads ------------------------------------------------------------------
    def _read(self, fn: Any) -> Any:
        with self.app.app_context():
            result = fn()
            db.session.remove()
            return result

    def person(self, user: SandboxUser) -> str:
        return self._read(
            lambda: db.session.scalar(select(Person.public_id).where(Person.sub == user.sub))
        )

    def group_of(self, who: SandboxUser | Visit) -> str:
        if isinstance(who, Visit):
            raise AssertionError("pass the group explicitly for staff")
        return self.g.group_id_of(who)

    def groups(self) -> list[list[str]]:
        """Each group's members' subs, in group order."""

        def read() -> list[list[str]]:
            rows = db.session.execute(
                select(GroupingGroup.position, Person.sub)
                .join(GroupingMember, GroupingMember.group_id == GroupingGroup.id)
                .join(Person, Person.id == GroupingMember.person_id)
                .order_by(GroupingGroup.position, GroupingMember.id)
            ).all()
            found: dict[int, list[str]] = {}
            for position, sub in rows:
                found.setdefault(position, []).append(sub)
            return list(found.values())

        return self._read(read)

    def post_ids(self, thread: str) -> list[str]:
        return self._read(
            lambda: list(
                db.session.scalars(
                    select(CaseDiscussionPost.public_id)
                    .join(
                        CaseDiscussionThread,
                        CaseDiscussionThread.id == CaseDiscussionPost.thread_id,
                    )
                    .where(CaseDiscussionThread.public_id == thread)
                    .order_by(CaseDiscussionPost.id)
                )
            )
        )

    def rounds(self, group: str) -> list[tuple[str, int, str, str, str]]:
        """(round id, number, presenter sub, stage, thread id) of a group's rounds."""

        def read() -> list[tuple[str, int, str, str, str]]:
            rows = db.session.execute(
                select(
                    CaseDiscussionRound.public_id,
                    CaseDiscussionRound.number,
                    Person.sub,
                    CaseDiscussionRound.stage,
                    CaseDiscussionThread.public_id,
                )
                .join(Person, Person.id == CaseDiscussionRound.presenter_id)
                .join(GroupingGroup, GroupingGroup.id == CaseDiscussionRound.group_id)
                .join(CaseDiscussionThread, CaseDiscussionThread.round_id == CaseDiscussionRound.id)
                .where(GroupingGroup.public_id == group)
                .order_by(CaseDiscussionRound.number)
            ).all()
            return [tuple(r) for r in rows]

        return self._read(read)

    def scores(self) -> list[tuple[str, float | None, int]]:
        return self._read(
            lambda: sorted(
                (r[0], r[1], r[2])
                for r in db.session.execute(
                    select(Person.sub, Score.score_given, Score.version).join(
                        Person, Person.id == Score.person_id
                    )
                ).all()
            )
        )
