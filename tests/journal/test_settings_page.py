"""The journal's settings on the activity's Settings page: a refused save keeps every
typed value, the rewritten prompts included (issue 15, finding 8); changed check-in
days reschedule unanswered check-ins and the activity's description follows."""

from __future__ import annotations

import html
import re

import pytest

from tests.journal.support import ASHA
from tests.test_activity_settings import _error_next_to, _form_of, _value

PROMPTS = "What did you try this week?\nWhat surprised you?\nWhat will you keep doing?"


def _typed(jd, staff, **changes: str) -> dict[str, str]:
    page = jd.client.get(f"/a/{jd.activity}/settings", query_string={"t": staff.token})
    assert page.status_code == 200
    form = _form_of(page.get_data(as_text=True))
    form.update(changes)
    return form


@pytest.mark.parametrize("endpoint", ["/a/{id}/settings", "/j/{id}/settings"])
def test_a_refused_save_keeps_the_rewritten_prompts_and_every_typed_value(jd, endpoint) -> None:
    staff = jd.setup()
    form = _typed(
        jd,
        staff,
        prompts=PROMPTS,
        checkin_days="14,14",
        entries_required="3",
        followup_closes="2026-09-30",
        completion="entries_and_checkins",
    )
    resp = jd.client.post(endpoint.format(id=jd.activity), data={"t": staff.token, **form})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert _error_next_to(page, "checkin_days") == "Use different whole numbers of days, 1 or more."
    prompts = re.search(r'<textarea id="prompts" name="prompts"[^>]*>(.*?)</textarea>', page, re.S)
    assert prompts is not None and html.unescape(prompts.group(1)) == PROMPTS
    assert _value(page, "checkin_days") == "14,14"
    assert _value(page, "entries_required") == "3"
    assert _value(page, "followup_closes") == "2026-09-30"
    assert '<option value="entries_and_checkins" selected>' in page
    assert "Nothing was saved" in page
    # Nothing was saved: the learners still see the default prompts.
    assert "What? What happened" in jd.page(jd.join(ASHA))


def test_the_default_prompts_and_days_are_in_their_fields(jd) -> None:
    staff = jd.setup()
    page = jd.client.get(f"/a/{jd.activity}/settings", query_string={"t": staff.token}).get_data(
        as_text=True
    )
    assert _value(page, "checkin_days") == "30,60,90"
    assert _value(page, "entries_required") == "1"
    assert "So what? Why does it matter" in page


def test_new_check_in_days_reschedule_and_the_description_follows(jd) -> None:
    staff = jd.setup()
    jd.complete(jd.join(ASHA))
    form = _typed(jd, staff, checkin_days="14, 45", prompts=PROMPTS)
    resp = jd.client.post(f"/a/{jd.activity}/settings", data={"t": staff.token, **form})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    done = html.unescape(jd.client.get(resp.headers["Location"]).get_data(as_text=True))
    assert (
        "Settings saved: Check-ins: 14 and 45 days after completion; Entry prompts: "
        "“What did you try this week?”, “What surprised you?” and "
        "“What will you keep doing?”." in done
    )
    assert "Unanswered check-ins now follow the new days." in done
    assert {c.day: c.status for c in jd.checkins(ASHA)} == {
        14: "pending",
        30: "cancelled",
        45: "pending",
        60: "cancelled",
        90: "cancelled",
    }
    for page in (jd.page(staff), jd.page(jd.join(ASHA))):
        assert "check-ins 14 and 45 days after completion" in page
        assert "30, 60 and 90" not in page
