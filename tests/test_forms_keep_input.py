"""No input lost (issue 15): a form refused by the server comes back holding everything
the person typed, and only that form does (the page's other forms keep their own
values)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.journal.support import ASHA, JournalDriver
from tests.peer_review.support import ANA, PeerReviewDriver
from tests.support.activity_driver import ActivityDriver
from tests.support.lti import INSTRUCTOR
from tests.support.templates import TEMPLATES


def _textarea(page: str, field_id: str) -> str:
    match = re.search(
        r'<textarea id="' + re.escape(field_id) + r'"[^>]*>(.*?)</textarea>', page, re.S
    )
    assert match is not None, field_id
    return html.unescape(match.group(1))


def _input(page: str, field_id: str) -> str:
    tag = re.search(r'<input [^>]*id="' + re.escape(field_id) + r'"[^>]*>', page)
    assert tag is not None, field_id
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


@pytest.fixture
def jd(lti: Any, app: Any) -> JournalDriver:
    app.jinja_env.bytecode_cache = TEMPLATES
    return JournalDriver(lti, app)


@pytest.fixture
def pr(lti: Any, app: Any, tmp_path: Any) -> PeerReviewDriver:
    app.jinja_env.bytecode_cache = TEMPLATES
    app.config["PEER_REVIEW_UPLOAD_DIR"] = str(tmp_path / "uploads")
    return PeerReviewDriver(lti, app)


def test_a_refused_journal_entry_keeps_every_response(jd) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    resp = jd.write(
        visit,
        "I paused before answering.",
        "Silence gave room.",
        "Pause again.",
        skills="listening, patience",
        linked="NoSuchActivity00",
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert _textarea(page, "response-0") == "I paused before answering."
    assert _textarea(page, "response-1") == "Silence gave room."
    assert _textarea(page, "response-2") == "Pause again."
    assert _input(page, "skills") == "listening, patience"
    assert 'aria-describedby="entry-form-error"' in page and 'id="entry-form-error"' in page


def test_a_refused_plan_item_keeps_what_was_typed_and_other_forms_stay_empty(jd) -> None:
    jd.setup()
    visit = jd.join(ASHA)
    resp = jd.add_item(
        visit, "Ask one open question per 1:1", by_when="next week", evidence="They talk first"
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert _input(page, "what") == "Ask one open question per 1:1"
    assert _input(page, "evidence") == "They talk first"
    assert _textarea(page, "response-0") == ""  # the entry form was not the one sent


def test_a_refused_submission_keeps_the_work(pr) -> None:
    pr.create_activity()
    visit = pr.enter(ANA)
    resp = pr.submit(visit, body="<p>Three pages on our retrospective.</p>", link_url="nope")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Three pages on our retrospective." in _textarea(page, "pr-body")
    assert _input(page, "pr-link") == "nope"


def test_a_refused_rubric_keeps_the_typed_criteria(pr) -> None:
    staff = pr.create_activity()
    typed = "Clarity | 4 | 0 | None; 4 | Strong\nEvidence | lots"
    resp = pr.client.post(
        f"/pr/{pr.activity}/rubric/edit",
        data={"t": staff.token, "action": "import", "count": "0", "text": typed},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422, page[:300]
    assert _textarea(page, "re-text") == typed


def test_a_refused_checklist_keeps_the_typed_lines(lti, app) -> None:
    app.jinja_env.bytecode_cache = TEMPLATES
    drive = ActivityDriver(lti, app, link="rp-link")
    staff = drive.setup_activity("role_play", link="rp-link")
    typed = "Listening: reflects back\n: no skill here"
    resp = drive.client.post(
        f"/rp/{drive.activity}/checklist/edit",
        data={"t": staff.token, "action": "import", "item-count": "0", "text": typed},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422, page[:300]
    assert _textarea(page, "text") == typed


def test_a_refused_check_item_keeps_the_question_and_options(lti, app) -> None:
    app.jinja_env.bytecode_cache = TEMPLATES
    drive = ActivityDriver(lti, app, link="an-link")
    drive.setup_activity("journal", link="an-link")
    staff = drive.enter(INSTRUCTOR)
    resp = drive.client.post(
        f"/an/{drive.activity}/items",
        data={
            "t": staff.token,
            "kind": "knowledge",
            "prompt": "Which question opens a 1:1 best?",
            "options": "How are you?\nWhat is on your mind?",
            "correct": "7",
        },
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code in (400, 409, 422), page[:300]
    assert _textarea(page, "an-prompt") == "Which question opens a 1:1 best?"
    assert _textarea(page, "an-options") == "How are you?\nWhat is on your mind?"
    assert _input(page, "an-correct") == "7"
