"""The rubric editor: a grid of criteria and levels that saves, keeps what was
typed when refused (with the message next to the cell), adds/removes/reorders
rows without JavaScript, previews as a learner, reuses a rubric by name (the
library or another peer assessment of the course; no ids shown) and keeps the
text format as import/export."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.models import PeerReviewCriterion
from tests.peer_review.support import ANA, BEN, OTHER_COURSE, PeerReviewDriver
from tests.support.lti import INSTRUCTOR


def _criteria(pr: PeerReviewDriver, activity: str) -> list[tuple[str, int, str, bool]]:
    with pr.app.app_context():
        rows = db.session.scalars(
            select(PeerReviewCriterion)
            .join(Activity)
            .where(Activity.public_id == activity)
            .order_by(PeerReviewCriterion.position)
        ).all()
        return [(c.name, c.max_points, c.levels, c.comment_required) for c in rows]


def _grid(*criteria: tuple[str, str, bool, list[tuple[str, str]]]) -> dict[str, str]:
    form = {"count": str(len(criteria))}
    for i, (name, top, required, levels) in enumerate(criteria):
        form |= {f"c{i}-name": name, f"c{i}-max": top, f"c{i}-levels": str(len(levels))}
        if required:
            form[f"c{i}-required"] = "1"
        for j, (points, text) in enumerate(levels):
            form |= {f"c{i}-l{j}-points": points, f"c{i}-l{j}-text": text}
    return form


GRID = _grid(
    ("Argument", "6", True, [("0", "Missing"), ("6", "Convincing"), ("3", "Partial")]),
    ("Sources", "2", False, []),
)


def _post(pr: PeerReviewDriver, token: str, action: str, form: dict[str, str], activity=None):
    return pr.client.post(
        f"/pr/{activity or pr.activity}/rubric/edit", data={"t": token, "action": action, **form}
    )


def test_staff_save_a_rubric_from_the_grid_levels_sorted_low_to_high(pr: PeerReviewDriver):
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    page = pr.client.get(f"/pr/{pr.activity}/rubric/edit?t={staff.token}")
    assert page.status_code == 200 and 'value="Content"' in page.get_data(as_text=True)
    saved = _post(pr, staff.token, "save", GRID)
    assert saved.status_code == 303
    assert _criteria(pr, pr.activity) == [
        ("Argument", 6, "0 | Missing\n3 | Partial\n6 | Convincing", True),
        ("Sources", 2, "", False),
    ]
    after = pr.client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Rubric saved. Reviewers use it from now on." in after and 'value="Partial"' in after


def test_invalid_cells_are_refused_with_the_message_next_to_them_and_nothing_lost(
    pr: PeerReviewDriver,
):
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    before = _criteria(pr, pr.activity)
    bad = _grid(
        ("", "6", False, [("0", "Nothing at all"), ("9", "Beyond")]),
        ("Tone", "lots", False, [("1", "")]),
    )
    resp = _post(pr, staff.token, "save", bad)
    page = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422
    assert 'id="c0-name-error"' in page and "Give the criterion a name." in page
    assert 'id="c0-l1-points-error"' in page and "From 0 to 6." in page
    assert 'id="c1-max-error"' in page and 'id="c1-l0-text-error"' in page
    assert 'value="Nothing at all"' in page and 'value="lots"' in page and 'value="9"' in page
    assert 'aria-invalid="true"' in page
    assert _criteria(pr, pr.activity) == before


def test_rows_are_added_removed_and_reordered_by_buttons_without_saving(pr: PeerReviewDriver):
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    before = _criteria(pr, pr.activity)
    down = _post(pr, staff.token, "down:0", GRID).get_data(as_text=True)
    assert down.index('value="Sources"') < down.index('value="Argument"')
    added = _post(pr, staff.token, "add", GRID).get_data(as_text=True)
    assert 'name="count" value="3"' in added and 'id="c2-name"' in added
    more = _post(pr, staff.token, "add-level:1", GRID).get_data(as_text=True)
    assert 'name="c1-levels" value="1"' in more
    fewer = _post(pr, staff.token, "remove-level:0:1", GRID).get_data(as_text=True)
    assert 'value="Convincing"' not in fewer and 'value="Partial"' in fewer
    gone = _post(pr, staff.token, "remove:0", GRID).get_data(as_text=True)
    assert 'value="Argument"' not in gone and 'value="Sources"' in gone
    assert _criteria(pr, pr.activity) == before


def test_preview_shows_the_rubric_as_a_learner_sees_it(pr: PeerReviewDriver):
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    page = _post(pr, staff.token, "preview", GRID).get_data(as_text=True)
    preview = page[page.index("Preview: what learners") :]
    assert "Missing (0 points)" in preview and "Partial (3 points)" in preview
    assert "comment required" in preview and "Points from 0 to 2" in preview


def test_reuse_by_name_from_the_library_and_another_activity_of_the_course(
    pr: PeerReviewDriver,
):
    pr.create_activity()
    first = pr.activity
    staff = pr.enter(INSTRUCTOR)
    assert _post(pr, staff.token, "save", GRID).status_code == 303
    pr.create_activity(link="pr-link-2")
    staff = pr.enter(INSTRUCTOR)
    page = pr.client.get(f"/pr/{pr.activity}/rubric/edit?t={staff.token}").get_data(as_text=True)
    options = dict(re.findall(r'<option value="([^"]+)">([^<]+)</option>', page))
    assert "Essay" in options.values() and "Action plan" in options.values()
    assert first not in re.sub(r'value="[^"]*"', "", page)  # no internal id shown
    by_name = {name: key for key, name in options.items()}
    loaded = _post(pr, staff.token, "reuse", {"source": by_name["Essay"], "count": "0"})
    text = loaded.get_data(as_text=True)
    assert 'value="Argument"' in text and "nothing is saved until" in text
    starter = _post(pr, staff.token, "reuse", {"source": by_name["Action plan"], "count": "0"})
    assert 'value="Measures of success"' in starter.get_data(as_text=True)
    nonsense = _post(pr, staff.token, "reuse", {"source": "act:nope", "count": "0"})
    assert nonsense.status_code == 422 and "Choose a rubric from the list." in nonsense.get_data(
        as_text=True
    )


def test_text_format_is_kept_as_import_and_export(pr: PeerReviewDriver):
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    page = html.unescape(_post(pr, staff.token, "preview", GRID).get_data(as_text=True))
    assert "Argument* | 6 | 0 | Missing; 6 | Convincing; 3 | Partial" in page
    imported = _post(
        pr, staff.token, "import", {"count": "0", "text": "Depth* | 4 | 0 | None; 4 | Deep"}
    )
    text = imported.get_data(as_text=True)
    assert imported.status_code == 200 and 'value="Depth"' in text and 'value="Deep"' in text
    broken = _post(pr, staff.token, "import", {"count": "0", "text": "Depth | lots"})
    body = broken.get_data(as_text=True)
    assert broken.status_code == 422 and 'id="text-error"' in body and "Depth | lots" in body


def test_the_editor_is_staff_only_and_refuses_changes_once_reviews_are_done(
    pr: PeerReviewDriver,
):
    pr.create_activity(reviews_per_submission="1")
    a, b = pr.enter(ANA), pr.enter(BEN)
    url = f"/pr/{pr.activity}/rubric/edit"
    assert pr.client.get(url, query_string={"t": a.token}).status_code == 403
    assert _post(pr, a.token, "save", GRID).status_code == 403
    pr.submit(a)
    pr.submit(b)
    assert pr.send_review(a, pr.open_review(a)).status_code == 303
    staff = pr.enter(INSTRUCTOR)
    page = pr.client.get(url, query_string={"t": staff.token}).get_data(as_text=True)
    assert "can no longer be changed" in page and "Save the rubric</button>" not in page
    locked = _post(pr, staff.token, "save", GRID)
    assert locked.status_code == 422 and "can no longer be changed" in locked.get_data(as_text=True)


def test_another_courses_peer_assessment_is_neither_offered_nor_loaded(pr: PeerReviewDriver):
    pr.create_activity(link="pr-other", context=OTHER_COURSE)
    elsewhere = pr.activity
    staff = pr.enter(INSTRUCTOR, link="pr-other", context=OTHER_COURSE)
    assert _post(pr, staff.token, "save", GRID).status_code == 303
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    page = pr.client.get(f"/pr/{pr.activity}/rubric/edit", query_string={"t": staff.token})
    assert f"act:{elsewhere}" not in page.get_data(as_text=True)
    stolen = _post(pr, staff.token, "reuse", {"source": f"act:{elsewhere}", "count": "0"})
    assert stolen.status_code == 422 and 'value="Argument"' not in stolen.get_data(as_text=True)
    assert (
        pr.client.get(f"/pr/{elsewhere}/rubric/edit", query_string={"t": staff.token}).status_code
        == 404
    )
