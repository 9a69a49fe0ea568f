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
