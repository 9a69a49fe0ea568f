"""Private entries never leak to peers — same group or not — through pages, JSON,
search or exports; shared entries reach the author's group only; another course's
or platform's people get 404s."""

from __future__ import annotations

import html

import pytest

from tests.grouping.support import OTHER_COURSE
from tests.journal.support import ASHA, SIX, entry_ids
from tests.support.lti import INSTRUCTOR, MENTOR

PRIVATE = "PRIVATE-zebra-budget-fear"
SHARED = "SHARED-otter-team-win"


@pytest.fixture
def grouped(jd):
    """Six learners grouped in threes (a role-play of the same course); Asha wrote a
    private and a shared entry. Returns (mate, outsider) sandbox users."""
    jd.setup()
    grouping = jd.group(SIX)
    for user in SIX:
        jd.join(user)
    asha = jd.visits[ASHA.sub]
    assert jd.write(asha, PRIVATE, skills="Budgeting-skill-X").status_code == 303
    assert jd.write(asha, SHARED, shared=True).status_code == 303
    mine = grouping.group_id_of(ASHA)
    mate = next(u for u in SIX if u is not ASHA and grouping.group_id_of(u) == mine)
    outsider = next(u for u in SIX if grouping.group_id_of(u) != mine)
    return mate, outsider


def _everything_visible_to(jd, visit) -> str:
    """Every surface a learner reads entries through, concatenated."""
    parts = [jd.page(visit)]
    for q in ("", "PRIVATE", "zebra", "Budgeting", "SHARED", "otter"):
        parts.append(jd.get(visit, "entries.json", q=q).get_data(as_text=True))
        parts.append(jd.get(visit, "search", q=q or "a").get_data(as_text=True))
    parts.append(jd.get(visit, "export").get_data(as_text=True))
    return html.unescape("\n".join(parts))


def test_a_group_mate_reads_the_shared_entry_but_never_the_private_one(jd, grouped) -> None:
    mate, _ = grouped
    seen = _everything_visible_to(jd, jd.visits[mate.sub])
    assert SHARED in seen
    assert PRIVATE not in seen and "Budgeting-skill-X" not in seen
    found = jd.get(jd.visits[mate.sub], "entries.json", q="otter").get_json()["entries"]
    assert len(found) == 1 and found[0]["author"] == ASHA.name
    assert "shared_with_group" not in found[0]
    assert jd.get(jd.visits[mate.sub], "entries.json", q="zebra").get_json() == {"entries": []}


def test_a_learner_outside_the_group_reads_neither_entry(jd, grouped) -> None:
    _, outsider = grouped
    seen = _everything_visible_to(jd, jd.visits[outsider.sub])
    assert PRIVATE not in seen and SHARED not in seen and "Budgeting-skill-X" not in seen


def test_making_an_entry_private_again_hides_it_from_the_group(jd, grouped) -> None:
    mate, _ = grouped
    asha = jd.visits[ASHA.sub]
    shared_id = entry_ids(jd.page(asha))[0]  # newest first: the shared one
    assert jd.post(asha, f"entries/{shared_id}/share", shared="0").status_code == 303
    assert SHARED not in _everything_visible_to(jd, jd.visits[mate.sub])


def test_a_peers_entry_cannot_be_opened_by_its_id(jd, grouped) -> None:
    mate, _ = grouped
    asha = jd.visits[ASHA.sub]
    for entry in entry_ids(jd.page(asha)):
        assert jd.get(jd.visits[mate.sub], f"entries/{entry}/edit").status_code == 404


def test_the_author_and_staff_read_both_and_staff_see_the_notice(jd, grouped) -> None:
    own = _everything_visible_to(jd, jd.visits[ASHA.sub])
    assert PRIVATE in own and SHARED in own
    staff = jd.enter(INSTRUCTOR)
    page = jd.page(staff)
    assert PRIVATE in page and SHARED in page
    assert "Learners are told on their journal page that instructors can read" in page
    found = jd.get(staff, "entries.json", q="zebra").get_json()["entries"]
    assert len(found) == 1 and found[0]["skills"] == ["Budgeting-skill-X"]


def test_a_mentor_reads_no_entries(jd, grouped) -> None:
    mentor = jd.enter(MENTOR)
    assert jd.get(mentor, "entries.json").get_json() == {"entries": []}
    page = html.unescape(jd.page(mentor))
    assert PRIVATE not in page and SHARED not in page
    assert jd.get(mentor, "export").status_code == 403
    assert jd.post(mentor, "entries", **{"response-0": "x"}).status_code == 403


def test_another_courses_instructor_gets_404_everywhere(jd, grouped) -> None:
    other = jd.enter(INSTRUCTOR, link="other-link", context=OTHER_COURSE)
    for path in ("entries.json", "search", "answers.csv", "observations"):
        assert jd.get(other, path).status_code == 404
    assert jd.post(other, "settings", checkin_days="1").status_code == 404


def test_another_platforms_people_get_404(jd, grouped, app, platform_server) -> None:
    from lti_app.extensions import db
    from lti_app.sandbox.platform import SandboxPlatform
    from tests.conftest import register_platform
    from tests.support.lti import LtiDriver, token_from

    server, platform, _ = platform_server
    twin = SandboxPlatform(
        issuer=platform.issuer,
        client_id="second-customer",
        deployment_id=platform.deployment_id,
        key=platform.key,
    )
    with app.app_context():
        register_platform(twin, server.url + "/jwks", name="Second customer")
        db.session.commit()
    other = LtiDriver(app.test_client(), twin)
    for user in (INSTRUCTOR, ASHA):
        token = token_from(
            other.launch(user, resource_link={"id": "journal-link"}).headers["Content-Location"]
        )
        paths = ("entries.json", "search", "export") + (
            ("answers.csv",) if user is INSTRUCTOR else ()
        )
        for path in paths:
            resp = jd.client.get(f"/j/{jd.activity}/{path}", query_string={"t": token})
            assert resp.status_code == 404, (user.sub, path)


def test_a_journal_opened_outside_a_course_shows_no_entries(jd, grouped) -> None:
    from tests.support.lti import token_from

    resp = jd.lti.launch(ASHA, resource_link={"id": "loose-link", "title": "Loose"}, context=None)
    assert resp.status_code == 200
    text = html.unescape(resp.get_data(as_text=True))
    assert PRIVATE not in text and SHARED not in text
    token = token_from(resp.headers["Content-Location"])
    # A session without a course opens nothing course-scoped (issue 16, finding 6).
    page = jd.client.get(f"/a/{jd.activity}", query_string={"t": token})
    assert page.status_code == 404
    text = html.unescape(page.get_data(as_text=True))
    assert PRIVATE not in text and SHARED not in text
    assert (
        jd.client.get(f"/j/{jd.activity}/entries.json", query_string={"t": token}).status_code
        == 404
    )


def test_staff_only_pages_refuse_learners(jd, grouped) -> None:
    asha = jd.visits[ASHA.sub]
    assert jd.get(asha, "answers.csv").status_code == 403
    assert jd.post(asha, "settings", checkin_days="1").status_code == 403
    assert jd.post(asha, f"learners/{jd.person_id(ASHA)}/reopen").status_code == 403


def test_a_form_without_the_session_token_is_refused(jd, grouped) -> None:
    resp = jd.client.post(f"/j/{jd.activity}/entries", data={"response-0": "Forged"})
    assert resp.status_code == 401
