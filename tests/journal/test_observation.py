"""A mentor of the course, or the learner's named manager, confirms an observed
application; they read only the action item and the learner's note."""

from __future__ import annotations

import html
import re

from tests.journal.support import ASHA, BRUNO, DEV
from tests.support.lti import INSTRUCTOR, MENTOR


def _observers_and_item(jd):
    jd.setup()
    mentor = jd.enter(MENTOR)
    asha = jd.join(ASHA)
    jd.write(asha, "ASHA-PRIVATE-reflection")
    jd.add_item(asha, "Coach one junior colleague a week", evidence="They lead a meeting")
    [item] = jd.items(ASHA)
    return mentor, asha, item


def _mentor_id(jd) -> str:
    return jd.person_id(MENTOR)


def test_a_mentor_confirms_an_observed_application(jd) -> None:
    mentor, asha, item = _observers_and_item(jd)
    assert "Mona Haddad (mentor in this course)" in jd.page(asha)
    resp = jd.post(
        asha,
        f"plan/{item}/observe",
        observer=_mentor_id(jd),
        note="You saw me coach Sam on Tuesday",
    )
    assert resp.status_code == 303
    # At the mentor's next launch from any link of the course: the request.
    landing = html.unescape(jd.enter(MENTOR, link="any-link").html)
    assert "Asha Patel asked you to confirm an observed application" in landing
    link = re.search(r'href="(/j/[^"]+/observations\?[^"]+)"', landing)
    assert link is not None
    page = html.unescape(jd.client.get(link.group(1)).get_data(as_text=True))
    assert "Coach one junior colleague a week" in page
    assert "You saw me coach Sam on Tuesday" in page
    assert "ASHA-PRIVATE-reflection" not in page
    obs_id = page.split('data-request="')[1].split('"')[0]
    resp = jd.post(
        mentor, f"observations/{obs_id}", decision="confirm", comment="Saw it; Sam ran the stand-up"
    )
    assert resp.status_code == 303
    assert "Saw it; Sam ran the stand-up" in jd.page(asha) and "confirmed" in jd.page(asha)
    again = jd.post(mentor, f"observations/{obs_id}", decision="decline", comment="")
    assert again.status_code == 409
    assert "asked you to confirm" not in jd.enter(MENTOR, link="any-link").html
    staff_page = " ".join(html.unescape(jd.page(jd.enter(INSTRUCTOR))).split())
    assert (
        "Observed applications: 1 learner with at least one application confirmed by a "
        "mentor or manager (1 requests: 1 confirmed, 0 declined)"
    ) in staff_page


def test_only_the_asked_observer_can_answer_and_only_eligible_people_are_asked(jd) -> None:
    mentor, asha, item = _observers_and_item(jd)
    bruno = jd.join(BRUNO)
    assert (
        jd.post(asha, f"plan/{item}/observe", observer=jd.person_id(BRUNO), note="").status_code
        == 422
    )
    jd.post(asha, f"plan/{item}/observe", observer=_mentor_id(jd), note="Please")
    page = jd.get(mentor, "observations").get_data(as_text=True)
    obs_id = page.split('data-request="')[1].split('"')[0]
    assert jd.post(bruno, f"observations/{obs_id}", decision="confirm").status_code == 404
    assert "Please" not in jd.get(bruno, "observations").get_data(as_text=True)
    # A mentor cannot ask for observations or keep a journal.
    assert jd.post(mentor, f"plan/{item}/observe", observer=_mentor_id(jd)).status_code == 403


def test_a_named_manager_in_the_course_can_be_asked(jd) -> None:
    from tests.grouping.support import GroupingDriver

    jd.setup()
    dev = jd.join(DEV)
    grouping = GroupingDriver(jd.lti, jd.app)
    grouping.create_activity("role_play", link="rp-link")
    grouping.enter(INSTRUCTOR)
    grouping.enter(DEV)
    asha_g = grouping.enter(ASHA)
    assert grouping.answer(asha_g, reports_to=jd.person_id(DEV)).status_code == 303
    asha = jd.join(ASHA)
    jd.add_item(asha, "Say no to low-value meetings")
    [item] = jd.items(ASHA)
    assert "Dev Sharma (your manager)" in jd.page(asha)
    assert (
        jd.post(
            asha, f"plan/{item}/observe", observer=jd.person_id(DEV), note="I skipped three"
        ).status_code
        == 303
    )
    page = html.unescape(jd.get(dev, "observations").get_data(as_text=True))
    assert "Say no to low-value meetings" in page and "I skipped three" in page
    assert "asked you to confirm" in html.unescape(jd.enter(DEV, link="any-link").html)


def test_another_courses_mentor_sees_no_requests(jd) -> None:
    from tests.grouping.support import OTHER_COURSE

    mentor, asha, item = _observers_and_item(jd)
    jd.post(asha, f"plan/{item}/observe", observer=_mentor_id(jd), note="Please")
    elsewhere = jd.enter(MENTOR, link="other-link", context=OTHER_COURSE)
    assert "asked you to confirm" not in elsewhere.html
    assert jd.get(elsewhere, "observations").status_code == 404


def test_a_mentor_opening_the_journal_link_finds_their_requests_not_a_placeholder(jd) -> None:
    mentor, _asha, _item = _observers_and_item(jd)
    page = html.unescape(jd.page(mentor))
    assert "opens for participation soon" not in page
    assert "You never see their journal entries" in page
    assert re.search(r'href="/j/[^"]+/observations\?t=', page)
