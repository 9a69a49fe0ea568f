"""Feedback typed with Markdown shows formatted to the practitioner, and the
giver's edit box shows what they typed, never ``<p>`` (issue 19)."""

from __future__ import annotations

import html
import re

from tests.grouping.support import ASHA, BRUNO, CARLA
from tests.role_play.support import RolePlayDriver

TRIAD = (ASHA, BRUNO, CARLA)
TYPED = "You **listened** well.\n\n- ask first\n- then propose"


def test_markdown_feedback_is_shown_formatted_and_edited_as_typed(rp: RolePlayDriver) -> None:
    rp.setup(TRIAD)
    rnd = rp.rounds_of(ASHA)[0]
    practitioner = rnd.who("practitioner")[0]
    giver = rnd.who("observer")[0]
    assert rp.act(practitioner, rnd, "start").status_code == 303
    assert rp.act(practitioner, rnd, "end").status_code == 303
    sent = rp.act(giver, rnd, "feedback", feedback=TYPED, **rp.ratings(3))
    assert sent.status_code == 303, sent.get_data(as_text=True)
    mine = rp.page(rp.visit(giver))
    box = re.search(r'<textarea id="feedback-[^"]*"[^>]*>(.*?)</textarea>', mine, re.S)
    assert box is not None and html.unescape(box.group(1)) == TYPED
    assert rp.act(practitioner, rnd, "self", **rp.ratings(4)).status_code == 303
    theirs = rp.page(rp.visit(practitioner))
    assert "You <strong>listened</strong> well.</p><ul><li>ask first</li>" in theirs
    assert "**listened**" not in theirs
