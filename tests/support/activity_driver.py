"""What every activity's test driver does the same way: learners, a launch that
returns the page and its session token, setting an activity up as an instructor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

from lti_app.sandbox.platform import DEMO_COURSE, MEMBERSHIP, SandboxUser
from tests.support.lti import INSTRUCTOR, LtiDriver, token_from


def make_learner(prefix: str, key: str, name: str) -> SandboxUser:
    """A learner of the sandbox platform, with sub ``<prefix>-<key>``."""
    given, family = name.split(" ", 1)
    return SandboxUser(
        f"{prefix}-{key}", name, given, family, f"{key}@acme.test", (MEMBERSHIP + "Learner",)
    )


@dataclass
class Visit:
    """A person's page after a launch, and their session token."""

    page: TestResponse
    token: str

    @property
    def html(self) -> str:
        return self.page.get_data(as_text=True)


class ActivityDriver:
    """Launches into one resource link of a course and sets its activity up."""

    #: The resource link's title in launches (and the activity's title).
    title = "Practice"

    def __init__(self, lti: LtiDriver, app: Flask, *, link: str):
        self.lti = lti
        self.app = app
        self.client = lti.client
        self.activity = ""
        self.link = link
        self.context: dict[str, Any] = DEMO_COURSE

    def enter(
        self, user: SandboxUser, *, link: str | None = None, context: dict[str, Any] | None = None
    ) -> Visit:
        resp = self.lti.launch(
            user,
            resource_link={"id": link or self.link, "title": self.title},
            context=context or self.context,
        )
        assert resp.status_code == 200, resp.get_data(as_text=True)
        # The launch answers with the page itself (its reload address is tested elsewhere).
        return Visit(resp, token_from(resp.headers["Content-Location"]))

    def setup_activity(
        self,
        activity_type: str,
        *,
        link: str,
        context: dict[str, Any] | None = None,
        **settings: str,
    ) -> Visit:
        """An instructor adds a link and sets its activity up; returns their visit."""
        self.link = link
        self.context = context or DEMO_COURSE
        visit = self.enter(INSTRUCTOR)
        match = re.search(r'action="/a/([^/"]+)/setup"', visit.html)
        assert match is not None, visit.html
        form = {"t": visit.token, "activity_type": activity_type, "title": self.title}
        form.update({f"{activity_type}.{k}": v for k, v in settings.items()})
        resp = self.client.post(f"/a/{match.group(1)}/setup", data=form)
        assert resp.status_code == 303, resp.get_data(as_text=True)
        self.activity = match.group(1)
        return visit

    def page(self, visit: Visit) -> str:
        resp = self.client.get(f"/a/{self.activity}", query_string={"t": visit.token})
        assert resp.status_code == 200
        return resp.get_data(as_text=True)
