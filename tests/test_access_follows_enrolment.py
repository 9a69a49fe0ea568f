"""Access follows the enrolment: a member the roster sync marked inactive gets a
403 "access ended" page on every request and writes nothing; a new launch from the
LMS restores access. A session from a launch without a course opens nothing
course-scoped, only the activity it launched into."""

from __future__ import annotations

import html
from typing import Any

import pytest
from sqlalchemy import func, select, update

from lti_app.courses.models import Enrolment, Person
from lti_app.extensions import db
from lti_app.peer_activities.journal.models import JournalEntry
from tests.journal.support import ASHA, JournalDriver
from tests.support.lti import LEARNER, token_from


@pytest.fixture
def jd(lti: Any, app: Any) -> JournalDriver:
    return JournalDriver(lti, app)


def _mark_inactive(jd: JournalDriver, sub: str) -> None:
    """What roster sync does to a member the LMS no longer lists."""
    with jd.app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.sub == sub))
        db.session.execute(
            update(Enrolment).where(Enrolment.person_id == person_id).values(status="inactive")
        )
        db.session.commit()


def _entries(jd: JournalDriver, sub: str) -> int:
    with jd.app.app_context():
        return int(
            db.session.scalar(
                select(func.count(JournalEntry.id))
                .join(Person, Person.id == JournalEntry.person_id)
                .where(Person.sub == sub)
            )
            or 0
        )


def test_member_marked_inactive_meets_access_ended_and_nothing_is_written(
    jd: JournalDriver,
) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    assert jd.write(visit, "Ran the meeting.", "It mattered.", "Ask more.").status_code == 303
    _mark_inactive(jd, ASHA.sub)

    page = jd.client.get(f"/a/{jd.activity}", query_string={"t": visit.token})
    assert page.status_code == 403
    text = html.unescape(page.get_data(as_text=True))
    assert "Your access to this course has ended" in text
    assert "Everything you did here is kept" in text

    refused = jd.write(visit, "Written after I left.", "x", "y")
    assert refused.status_code == 403
    assert _entries(jd, ASHA.sub) == 1  # the earlier entry is kept, nothing new saved
    bearer = jd.client.get(f"/a/{jd.activity}", headers={"Authorization": f"Bearer {visit.token}"})
    assert bearer.status_code == 403


def test_a_new_launch_from_the_lms_restores_access(jd: JournalDriver) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    _mark_inactive(jd, ASHA.sub)
    assert jd.client.get(f"/a/{jd.activity}", query_string={"t": visit.token}).status_code == 403
    again = jd.join(ASHA)
    assert "Your access to this course has ended" not in again.html
    assert jd.write(again, "Back again.", "b", "c").status_code == 303
    assert _entries(jd, ASHA.sub) == 1
    # The old token works again too: access follows the enrolment, not the token.
    assert jd.client.get(f"/a/{jd.activity}", query_string={"t": visit.token}).status_code == 200


def test_other_members_keep_access_when_one_leaves(jd: JournalDriver) -> None:
    jd.setup()
    leaving = jd.join(ASHA)
    staying = jd.join(LEARNER)
    _mark_inactive(jd, ASHA.sub)
    assert jd.client.get(f"/a/{jd.activity}", query_string={"t": leaving.token}).status_code == 403
    assert jd.client.get(f"/a/{jd.activity}", query_string={"t": staying.token}).status_code == 200


def _courseless_launch(jd: JournalDriver, link: str) -> tuple[str, str]:
    """A valid launch without a context claim: (the activity id, the session token)."""
    resp = jd.lti.launch(
        LEARNER,
        resource_link={"id": link, "title": "Loose link"},
        mutate=lambda c: c.pop("https://purl.imsglobal.org/spec/lti/claim/context", None),
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    location = resp.headers["Content-Location"]
    return location.split("/a/", 1)[1].split("?", 1)[0], token_from(location)


def test_a_session_without_a_course_opens_no_course_activity(jd: JournalDriver) -> None:
    jd.setup()  # a journal in the demo course, with its title and description
    own_id, token = _courseless_launch(jd, "loose-link")
    refused = jd.client.get(f"/a/{jd.activity}", query_string={"t": token})
    assert refused.status_code == 404
    assert jd.title not in refused.get_data(as_text=True)
    for path in (f"/j/{jd.activity}/entries", f"/a/{jd.activity}/grades"):
        assert jd.client.get(path, query_string={"t": token}).status_code in (403, 404, 405)
    # Its own activity (outside any course) still opens, and says so.
    own = jd.client.get(f"/a/{own_id}", query_string={"t": token})
    assert own.status_code == 200
    assert "Opened outside a course" in own.get_data(as_text=True)


def test_a_session_without_a_course_cannot_open_another_courseless_activity(
    jd: JournalDriver,
) -> None:
    first_id, _ = _courseless_launch(jd, "loose-1")
    _, token = _courseless_launch(jd, "loose-2")
    assert jd.client.get(f"/a/{first_id}", query_string={"t": token}).status_code == 404
