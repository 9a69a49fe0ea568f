""" "Send grades": confirmed with counts, run in the background, only grades that mean
something (nothing for people who never started unless 0 is chosen), plain comments."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.grades.models import DONE, GradeSend
from lti_app.jobs.runners import EagerDispatcher
from lti_app.peer_activities.models import Activity
from tests.grades.helpers import settle, start
from tests.support.peer_seed import seed_peer_review, staff_token

FORMULA = re.compile(r"[×=]|/ ?\d|renormalis|None|completion \d")


@pytest.fixture
def course(app, make_lms):
    app.config["JOBS_MODE"] = "eager"
    app.extensions["peerlift.jobs"] = EagerDispatcher(app)
    lms, setup, users = start(app, make_lms, learners=12)
    with app.app_context():
        seeded = seed_peer_review(setup.activity_id, started=8)
        token = staff_token(setup.course_id)
        public_id = db.session.get(Activity, setup.activity_id).public_id
    return lms, setup, users, seeded, token, public_id


def _items(lms) -> dict[str, dict]:
    """The LMS's line items by tag, with the scores they hold."""
    items = lms.store.lineitems(lms.context_id)
    return {
        item["tag"]: lms.store.scores(item["id"])
        for item in items
        if item.get("tag") in ("peerlift-submission", "peerlift-reviewing")
    }


def test_send_grades_confirms_with_counts_and_sends_nothing_to_non_starters(app, client, course):
    lms, setup, users, seeded, token, aid = course
    page = client.get(f"/a/{aid}/grades/send", query_string={"t": token})
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "<strong>8</strong> learners took part" in text
    assert "<strong>4</strong> never started" in text
    assert "Send 0 to these 4 learners" in text
    resp = client.post(
        f"/a/{aid}/grades/send",
        data={"t": token, "non_starters": "leave", "confirmed_non_starters": "4"},
    )
    assert resp.status_code == 303
    after = client.get(resp.headers["Location"])
    assert "Sending grades has started" in after.text
    settle(app)
    grades_page = re.sub(
        r"\s+", " ", client.get(f"/a/{aid}/grades", query_string={"t": token}).text
    )
    assert "8 learners had grades put in the outbox" in grades_page
    assert "4 who never started were left out (nothing sent)" in grades_page
    got = _items(lms)
    subs = {u.sub for u in users[:8]}
    assert set(got["peerlift-submission"]) == subs
    assert set(got["peerlift-reviewing"]) == subs, "nobody who never started gets a grade"
    for held in (*got["peerlift-submission"].values(), *got["peerlift-reviewing"].values()):
        assert not FORMULA.search(held["comment"]), held["comment"]
    sample = got["peerlift-submission"][users[0].sub]["comment"]
    assert re.fullmatch(r"Average of 3 peer reviews: \d+%\.", sample), sample
    assert got["peerlift-reviewing"][users[0].sub]["comment"].startswith("Reviewing: ")


def test_zero_for_non_starters_only_after_confirming_the_count(app, client, course):
    lms, setup, users, seeded, token, aid = course
    stale = client.post(
        f"/a/{aid}/grades/send",
        data={"t": token, "non_starters": "zero", "confirmed_non_starters": "3"},
    )
    assert stale.status_code == 409
    assert "never started is now 4" in stale.text and "Send 0 to these 4 learners" in stale.text
    with app.app_context():
        assert db.session.scalar(select(GradeSend)) is None, "nothing started"
    resp = client.post(
        f"/a/{aid}/grades/send",
        data={"t": token, "non_starters": "zero", "confirmed_non_starters": "4"},
    )
    assert resp.status_code == 303
    settle(app)
    got = _items(lms)
    for user in users[8:]:
        for tag in ("peerlift-submission", "peerlift-reviewing"):
            assert got[tag][user.sub]["scoreGiven"] == 0
            assert got[tag][user.sub]["comment"] == (
                "You did not take part in this activity, so your instructor recorded 0."
            )
    page = re.sub(r"\s+", " ", client.get(f"/a/{aid}/grades", query_string={"t": token}).text)
    assert "4 who never started were sent 0" in page


def test_a_send_runs_in_batches_and_resumes_after_its_cursor(app, client, course):
    lms, setup, users, seeded, token, aid = course
    app.config["GRADES_PUBLISH_BATCH"] = 5
    client.post(f"/a/{aid}/grades/send", data={"t": token, "non_starters": "leave"})
    with app.app_context():
        run = db.session.scalar(select(GradeSend))
        assert (run.status, run.processed, run.total) == (DONE, 12, 12)
        assert run.cursor == max(seeded.learners)
        assert (run.queued_people, run.non_starters) == (8, 4)


def test_retry_says_what_it_did(app, client, course):
    lms, setup, users, seeded, token, aid = course
    resp = client.post(f"/a/{aid}/grades/retry", data={"t": token})
    assert resp.status_code == 303
    assert "Nothing needed sending again." in client.get(resp.headers["Location"]).text


def test_learners_cannot_send_grades(app, client, course):
    from lti_app.actor.session import issue_token
    from lti_app.courses.models import Course, Person
    from lti_app.domain.roles import LEARNER, RoleSet
    from lti_app.lms.models import Deployment, Registration

    lms, setup, users, seeded, token, aid = course
    with app.app_context():
        course_row = db.session.get(Course, setup.course_id)
        person = db.session.scalar(select(Person).where(Person.sub == users[0].sub))
        learner = issue_token(
            db.session.get(Registration, course_row.registration_id),
            db.session.get(Deployment, course_row.deployment_id),
            person,
            course_row,
            RoleSet(frozenset({LEARNER})),
        )
    assert client.get(f"/a/{aid}/grades/send", query_string={"t": learner}).status_code == 403
    assert (
        client.post(
            f"/a/{aid}/grades/send", data={"t": learner, "non_starters": "zero"}
        ).status_code
        == 403
    )
    with app.app_context():
        assert db.session.scalar(select(GradeSend)) is None
