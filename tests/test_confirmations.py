"""One-time confirmations after an action (lti_app/actor/confirm.py), through HTTP.

The action's 303 carries the message signed in its address (``confirmed=``); the
page says it in a ``role="status"`` region. It says nothing for an altered or
expired value, nor to someone else opening the same address, and showing it
costs the page no statement. (That the page then removes it from the address, and
where it appears, is checked in Chromium: tests/browser/test_journey_frame_fit.py.)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event

from lti_app.actor import confirm
from lti_app.extensions import db
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, GroupingDriver
from tests.role_play.support import RolePlayDriver

STATUS = '<div class="confirm" id="done" role="status"><p>'


def _setup(lti: Any, app: Any) -> tuple[RolePlayDriver, Any]:
    rp = RolePlayDriver(GroupingDriver(lti, app))
    staff = rp.setup((ASHA, BRUNO, CARLA, DEV))
    return rp, staff


def _save_scenario(rp: RolePlayDriver, staff: Any) -> str:
    resp = rp.post(
        staff,
        "scenarios",
        title="Saying no",
        practitioner_card="Say no.",
        client_card="Ask twice.",
        observer_card="Watch.",
    )
    assert resp.status_code == 303
    location: str = resp.headers["Location"]
    return location


def test_saving_a_scenario_returns_to_a_page_that_says_so_once(lti: Any, app: Any) -> None:
    rp, staff = _setup(lti, app)
    location = _save_scenario(rp, staff)
    assert "confirmed" in parse_qs(urlsplit(location).query)
    # Back to the scenarios, so the staff page opens the tab where they are (Set-up).
    assert urlsplit(location).fragment == "rp-scenarios"
    page = rp.client.get(location).get_data(as_text=True)
    assert STATUS + "Scenario saved.</p></div>" in page
    assert 'id="rp-scenarios"' in page
    # The page without the value (as after history.replaceState) says nothing.
    plain = location.split("&confirmed=")[0].split("#")[0]
    assert 'id="done"' not in rp.client.get(plain).get_data(as_text=True)


def test_an_altered_or_expired_confirmation_says_nothing(
    lti: Any, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rp, staff = _setup(lti, app)
    location = _save_scenario(rp, staff)
    value = parse_qs(urlsplit(location).query)["confirmed"][0]
    altered = location.replace(value, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert 'id="done"' not in rp.client.get(altered).get_data(as_text=True)
    monkeypatch.setattr(confirm, "MAX_AGE_S", -1)
    assert 'id="done"' not in rp.client.get(location).get_data(as_text=True)


def test_someone_else_opening_the_address_reads_no_confirmation(lti: Any, app: Any) -> None:
    rp, staff = _setup(lti, app)
    location = _save_scenario(rp, staff)
    value = parse_qs(urlsplit(location).query)["confirmed"][0]
    learner = rp.visit(ASHA.sub)
    page = rp.client.get(f"/a/{rp.activity}?t={learner.token}&confirmed={value}")
    assert page.status_code == 200
    assert 'id="done"' not in page.get_data(as_text=True)


def test_a_confirmation_costs_the_page_no_statement(lti: Any, app: Any) -> None:
    rp, staff = _setup(lti, app)
    location = _save_scenario(rp, staff)
    plain = location.split("&confirmed=")[0].split("#")[0]

    def statements(url: str) -> int:
        found: list[str] = []

        def count(*_args: Any) -> None:
            found.append("")

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert rp.client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(found)

    statements(plain)  # warm caches
    assert statements(location) == statements(plain)


@pytest.mark.parametrize(
    ("path", "form", "said"),
    [
        ("checklist", {"checklist": "Listening: reflects back"}, "Observer checklist saved."),
    ],
)
def test_each_role_play_action_says_what_it_did(
    lti: Any, app: Any, path: str, form: dict[str, str], said: str
) -> None:
    rp, staff = _setup(lti, app)
    resp = rp.post(staff, path, **form)
    assert resp.status_code == 303
    assert STATUS + said in rp.client.get(resp.headers["Location"]).get_data(as_text=True)


def test_the_favicon_is_served_and_linked(lti: Any, app: Any) -> None:
    rp, _staff = _setup(lti, app)
    with rp.client.get("/favicon.ico") as resp:
        assert resp.status_code == 200 and resp.data[:4] == b"\x00\x00\x01\x00"
    page = rp.client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in page and "/favicon.ico" in page


def test_a_staff_page_without_javascript_shows_every_tab_section_under_its_index(
    lti: Any, app: Any
) -> None:
    """The tabs are peerlift.js's: the page itself holds every section, each naming its
    tab (data-tab), and the "On this page" index links to each."""
    rp, staff = _setup(lti, app)
    page = rp.client.get(urlsplit(_save_scenario(rp, staff)).path + "?t=" + staff.token)
    html = page.get_data(as_text=True)
    assert 'nav class="on-page" aria-labelledby="on-page-h" data-tabs' in html
    for anchor, tab in (
        ("groups", "Groups"),
        ("role-play", "Rounds"),
        ("rp-setup", "Set-up"),
        ("rp-results", "Checks &amp; results"),
        ("learning-checks", "Checks &amp; results"),
        ("activity-settings", "Settings"),
    ):
        assert f'href="#{anchor}" data-tab="{tab}"' in html, anchor
        assert f'id="{anchor}"' in html and f'data-tab="{tab}"' in html, anchor
