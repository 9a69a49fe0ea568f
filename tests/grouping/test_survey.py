"""The instructor's survey and agreement editors."""

from __future__ import annotations

import html
import re

from tests.grouping.support import ASHA
from tests.support.lti import INSTRUCTOR


def test_instructor_edits_challenges_and_adds_questions_learners_answer(grouping) -> None:
    grouping.create_activity("case_discussion", group_size="5")
    staff = grouping.enter(INSTRUCTOR)
    form = grouping.client.get(f"/g/{grouping.activity}/survey", query_string={"t": staff.token})
    assert "Giving difficult feedback" in form.get_data(as_text=True)  # the default list
    resp = grouping.client.post(
        f"/g/{grouping.activity}/survey",
        data={
            "t": staff.token,
            "challenges": "Hiring freeze\nUnion negotiations\n  Hybrid work  \n",
            "questions": "What would you like to practise?\n"
            "Preferred meeting time | Mornings | Afternoons",
        },
    )
    assert resp.status_code == 303
    asha = grouping.enter(ASHA)
    survey = grouping.client.get(
        f"/g/{grouping.activity}/intake", query_string={"t": asha.token}
    ).get_data(as_text=True)
    assert "Union negotiations" in survey and "Hybrid work" in survey
    assert "Giving difficult feedback" not in survey
    assert "What would you like to practise?" in survey and "Afternoons" in survey
    choice = re.search(r'name="(answer\.[^"]+)"\s*>\s*<option value="">', survey).group(1)
    text = next(n for n in re.findall(r'name="(answer\.[^"]+)"', survey) if n != choice)
    bad = grouping.answer(asha, challenges=["Hybrid work"], **{choice: "Midnight"})
    assert bad.status_code == 422 and "Choose one of the options." in bad.get_data(as_text=True)
    ok = grouping.answer(
        asha, challenges=["Hybrid work"], **{choice: "Mornings", text: "Saying no"}
    )
    assert ok.status_code == 303
    again = grouping.client.get(
        f"/g/{grouping.activity}/intake", query_string={"t": asha.token}
    ).get_data(as_text=True)
    assert 'value="Saying no"' in again and '<option value="Mornings" selected>' in again


def test_survey_editor_shows_errors_next_to_fields(grouping) -> None:
    grouping.create_activity("role_play")
    staff = grouping.enter(INSTRUCTOR)
    resp = grouping.client.post(
        f"/g/{grouping.activity}/survey",
        data={"t": staff.token, "challenges": "Only one\nonly one", "questions": "Pick | one"},
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="challenges-error"' in body and "only once" in body
    assert 'id="questions-error"' in body and "give 2 to 12 choices" in body


def test_agreement_text_is_validated_and_unchanged_text_keeps_the_version(grouping) -> None:
    grouping.create_activity("role_play")
    staff = grouping.enter(INSTRUCTOR)
    short = grouping.client.post(
        f"/g/{grouping.activity}/agreement", data={"t": staff.token, "text": "Be nice"}
    )
    assert short.status_code == 422 and 'id="text-error"' in short.get_data(as_text=True)
    current = grouping.client.get(
        f"/g/{grouping.activity}/agreement", query_string={"t": staff.token}
    ).get_data(as_text=True)
    text = re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', current, re.S).group(1)
    grouping.client.post(
        f"/g/{grouping.activity}/agreement", data={"t": staff.token, "text": html.unescape(text)}
    )
    assert "version 1" in grouping.page(staff)


def _grid(challenges: list[str], questions: list[tuple[str, str]]) -> dict[str, str]:
    form = {"ch-count": str(len(challenges)), "q-count": str(len(questions))}
    for i, text in enumerate(challenges):
        form[f"ch{i}-text"] = text
    for i, (label, choices) in enumerate(questions):
        form |= {f"q{i}-label": label, f"q{i}-choices": choices}
    return form


GRID = _grid(
    ["Hiring freeze", "Union negotiations", "Hybrid work"],
    [("What would you like to practise?", ""), ("Preferred meeting time", "Mornings\nAfternoons")],
)


def test_survey_form_rows_save_what_learners_answer(grouping) -> None:
    grouping.create_activity("case_discussion", group_size="5")
    staff = grouping.enter(INSTRUCTOR)
    url = f"/g/{grouping.activity}/survey"
    page = grouping.client.get(url, query_string={"t": staff.token}).get_data(as_text=True)
    assert 'id="ch0-text"' in page and 'value="Giving difficult feedback"' in page
    resp = grouping.client.post(url, data={"t": staff.token, "action": "save", **GRID})
    assert resp.status_code == 303
    asha = grouping.enter(ASHA)
    survey = grouping.client.get(
        f"/g/{grouping.activity}/intake", query_string={"t": asha.token}
    ).get_data(as_text=True)
    assert "Union negotiations" in survey and "Giving difficult feedback" not in survey
    assert "Preferred meeting time" in survey and ">Afternoons</option>" in survey


def test_survey_rows_refused_next_to_the_cell_with_nothing_lost(grouping) -> None:
    grouping.create_activity("role_play")
    staff = grouping.enter(INSTRUCTOR)
    bad = _grid(["Hiring freeze", "hiring freeze", "Hybrid work"], [("Pick", "only one")])
    resp = grouping.client.post(
        f"/g/{grouping.activity}/survey", data={"t": staff.token, "action": "save", **bad}
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="ch1-text-error"' in body and "already in the list" in body
    assert 'id="q0-choices-error"' in body and 'value="hiring freeze"' in body
    assert ">only one</textarea>" in body


def test_survey_rows_buttons_preview_and_text_import(grouping) -> None:
    grouping.create_activity("role_play")
    staff = grouping.enter(INSTRUCTOR)
    url = f"/g/{grouping.activity}/survey"

    def post(action: str, form: dict[str, str]):
        return grouping.client.post(url, data={"t": staff.token, "action": action, **form})

    up = post("ch:up:2", GRID).get_data(as_text=True)
    assert up.index('value="Hybrid work"') < up.index('value="Union negotiations"')
    added = post("q:add", GRID).get_data(as_text=True)
    assert 'name="q-count" value="3"' in added
    preview = post("preview", GRID).get_data(as_text=True)
    shown = preview[preview.index("Preview: what learners answer") :]
    assert "Hiring freeze" in shown and "<option>Afternoons</option>" in shown
    assert "Preferred meeting time | Mornings | Afternoons" in html.unescape(preview)
    imported = post(
        "import", {**GRID, "challenges": "A\nB\nC", "questions": "Team size | Small | Large"}
    ).get_data(as_text=True)
    assert 'value="Team size"' in imported and ">Small\nLarge</textarea>" in imported
    assert 'value="Hiring freeze"' not in imported
    broken = post("import", {**GRID, "challenges": "Only one", "questions": ""})
    assert broken.status_code == 422 and 'id="challenges-error"' in broken.get_data(as_text=True)
