"""Drive peer review through HTTP as an instructor and learners would."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewCriterion, PeerReviewReview
from lti_app.sandbox.platform import SandboxUser
from tests.support.activity_driver import ActivityDriver, Visit, make_learner
from tests.support.lti import LtiDriver

OTHER_COURSE = {"id": "other-course-pr", "label": "OTH-PR", "title": "Another course"}


def learner(key: str, name: str) -> SandboxUser:
    return make_learner("pr", key, name)


ANA = learner("ana", "Ana Quintero")
BEN = learner("ben", "Benedikt Vogel")
CHO = learner("cho", "Cho Minseo")
DAN = learner("dan", "Danika Okafor")
EVE = learner("eve", "Evelina Marsh")
COHORT = (ANA, BEN, CHO, DAN)


class PeerReviewDriver(ActivityDriver):
    title = "Essay"

    def __init__(self, lti: LtiDriver, app: Flask):
        super().__init__(lti, app, link="pr-link")

    def create_activity(
        self, *, link: str = "pr-link", context: dict[str, Any] | None = None, **settings: str
    ) -> Visit:
        return self.setup_activity("peer_review", link=link, context=context, **settings)

    def submit(self, visit: Visit, body: str = "My essay.", **extra: str) -> TestResponse:
        return self.client.post(
            f"/pr/{self.activity}/submission", data={"t": visit.token, "body": body, **extra}
        )

    def next_review(self, visit: Visit, **extra: str) -> TestResponse:
        return self.client.post(
            f"/pr/{self.activity}/reviews/next", data={"t": visit.token, **extra}
        )

    def open_review(self, visit: Visit) -> str:
        """'Start next review' and return the review's id."""
        resp = self.next_review(visit)
        assert resp.status_code == 303, resp.get_data(as_text=True)
        return re.search(r"/reviews/([^/?]+)\?", resp.headers["Location"]).group(1)

    def criteria(self) -> list[tuple[str, int]]:
        with self.app.app_context():
            rows = db.session.scalars(
                select(PeerReviewCriterion)
                .join(Activity)
                .where(Activity.public_id == self.activity)
                .order_by(PeerReviewCriterion.position)
            ).all()
            return [(c.public_id, c.max_points) for c in rows]

    def send_review(
        self,
        visit: Visit,
        review_id: str,
        points: list[float] | None = None,
        comment: str = "Clear argument; add one example.",
    ) -> TestResponse:
        crit = self.criteria()
        points = points if points is not None else [3.0] * len(crit)
        data = {"t": visit.token, "comment": comment}
        data.update({f"c-{pid}": str(p) for (pid, _), p in zip(crit, points, strict=True)})
        return self.client.post(f"/pr/{self.activity}/reviews/{review_id}", data=data)

    def review_ids_received(self, visit: Visit) -> list[str]:
        resp = self.client.get(
            f"/pr/{self.activity}/feedback.json", query_string={"t": visit.token}
        )
        assert resp.status_code == 200
        return [r["public_id"] for r in resp.get_json()["reviews"]]

    def rate(
        self, visit: Visit, review_id: str, stars: int = 4, comment: str = "Useful"
    ) -> TestResponse:
        return self.client.post(
            f"/pr/{self.activity}/feedback/{review_id}/rating",
            data={"t": visit.token, "stars": str(stars), "comment": comment},
        )

    def person_id(self, user: SandboxUser) -> str:
        with self.app.app_context():
            return db.session.scalar(select(Person.public_id).where(Person.sub == user.sub))

    def reviews(self) -> list[PeerReviewReview]:
        with self.app.app_context():
            rows = list(db.session.scalars(select(PeerReviewReview)))
            db.session.expunge_all()
            return rows
