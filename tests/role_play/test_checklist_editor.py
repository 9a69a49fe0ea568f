"""The observer checklist editor: a row per item that saves, keeps what was typed
when refused (message next to the cell), adds/removes/reorders rows without
JavaScript, previews the observer's rating form, reuses another role-play's
checklist by name and keeps the line format as import/export."""

from __future__ import annotations

import html

from tests.grouping.support import ASHA
from tests.role_play.support import RolePlayDriver
from tests.support.lti import INSTRUCTOR


def _rows(*items: tuple[str, str]) -> dict[str, str]:
    form = {"item-count": str(len(items))}
    for i, (skill, text) in enumerate(items):
        form |= {f"item{i}-skill": skill, f"item{i}-text": text}
    return form


ROWS = _rows(("Questioning", "Asks open questions"), ("Empathy", "Names the feeling"))


def _start(rp: RolePlayDriver, title: str = "Essay", link: str = "grp-link"):
    rp.g.title = title
    activity = rp.g.create_activity("role_play", group_size="3", link=link)
    return activity, rp.g.enter(INSTRUCTOR)


def _post(rp: RolePlayDriver, activity: str, token: str, action: str, form: dict[str, str]):
    return rp.client.post(
        f"/rp/{activity}/checklist/edit", data={"t": token, "action": action, **form}
    )


def test_staff_save_the_checklist_from_rows_and_the_activity_page_lists_it(rp: RolePlayDriver):
    activity, staff = _start(rp)
    saved = _post(rp, activity, staff.token, "save", ROWS | {"item-count": "3"})
    assert saved.status_code == 303  # the third, empty row is ignored
    page = rp.client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Observer checklist saved." in page and 'value="Names the feeling"' in page
    panel = rp.client.get(f"/a/{activity}", query_string={"t": staff.token}).get_data(as_text=True)
    assert "Questioning: Asks open questions" in panel and "Edit the checklist" in panel


def test_an_item_without_a_behaviour_is_refused_next_to_it_and_nothing_is_lost(
    rp: RolePlayDriver,
):
    activity, staff = _start(rp)
    resp = _post(rp, activity, staff.token, "save", _rows(("Listening", ""), ("Tone", "Calm")))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="item0-text-error"' in page
    assert "Say what the practitioner does." in page
    assert 'value="Listening"' in page and 'value="Calm"' in page


def test_rows_are_added_removed_and_reordered_by_buttons(rp: RolePlayDriver):
    activity, staff = _start(rp)
    down = _post(rp, activity, staff.token, "item:down:0", ROWS).get_data(as_text=True)
    assert down.index('value="Empathy"') < down.index('value="Questioning"')
    added = _post(rp, activity, staff.token, "item:add", ROWS).get_data(as_text=True)
    assert 'name="item-count" value="3"' in added
    gone = _post(rp, activity, staff.token, "item:remove:0", ROWS).get_data(as_text=True)
    assert 'value="Questioning"' not in gone and 'value="Empathy"' in gone


def test_preview_shows_the_observers_rating_form(rp: RolePlayDriver):
    activity, staff = _start(rp)
    page = _post(rp, activity, staff.token, "preview", ROWS).get_data(as_text=True)
    preview = page[page.index("Preview: the rating form") :]
    assert "Asks open questions" in preview and "1 · Not yet" in preview


def test_reuse_another_role_plays_checklist_by_name(rp: RolePlayDriver):
    first, staff = _start(rp, "Coaching practice")
    assert _post(rp, first, staff.token, "save", ROWS).status_code == 303
    second, staff = _start(rp, "Feedback practice", link="grp-link-2")
    page = rp.client.get(f"/rp/{second}/checklist/edit", query_string={"t": staff.token})
    text = page.get_data(as_text=True)
    assert ">Coaching practice</option>" in text
    loaded = _post(rp, second, staff.token, "reuse", {"source": first, "item-count": "0"})
    assert 'value="Asks open questions"' in loaded.get_data(as_text=True)
    bad = _post(rp, second, staff.token, "reuse", {"source": "nope", "item-count": "0"})
    assert bad.status_code == 422 and "Choose a role-play from the list." in bad.get_data(
        as_text=True
    )


def test_the_line_format_is_kept_as_import_and_export(rp: RolePlayDriver):
    activity, staff = _start(rp)
    page = html.unescape(_post(rp, activity, staff.token, "preview", ROWS).get_data(as_text=True))
    assert "Questioning: Asks open questions\nEmpathy: Names the feeling" in page
    imported = _post(
        rp, activity, staff.token, "import", {"text": "Pace: Leaves silences", "item-count": "0"}
    )
    assert 'value="Leaves silences"' in imported.get_data(as_text=True)
    broken = _post(rp, activity, staff.token, "import", {"text": ": nothing", "item-count": "0"})
    assert broken.status_code == 422 and "Line 1" in broken.get_data(as_text=True)


def test_learners_cannot_open_the_checklist_editor(rp: RolePlayDriver):
    activity, _staff = _start(rp)
    learner = rp.g.enter(ASHA)
    url = f"/rp/{activity}/checklist/edit"
    assert rp.client.get(url, query_string={"t": learner.token}).status_code == 403
    assert _post(rp, activity, learner.token, "save", ROWS).status_code == 403
