"""The raw check-in answers export promises "learners appear by their opaque id
only": the learners' own words in it (the action item, barriers, how they shared
it forward) lose every course member's name too."""

from __future__ import annotations

from datetime import datetime

from tests.journal.support import ASHA, BRUNO
from tests.support.lti import INSTRUCTOR


def test_the_answers_export_names_nobody_even_in_free_text(jd, clock) -> None:
    jd.setup()
    asha = jd.join(ASHA)
    jd.join(BRUNO)
    jd.complete(asha, what="Ask Bruno to co-run the weekly review")
    clock.set(datetime(2026, 4, 3, 10))
    checkin = next(c for c in jd.checkins(ASHA) if c.day == 30)
    resp = jd.answer(
        jd.join(ASHA),
        checkin.public_id,
        {item: "tried" for item in jd.items(ASHA)},
        share_with=("My team",),
        share_how="Told @Bruno and Silva's team",
        confidence=4,
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    text = jd.get(jd.enter(INSTRUCTOR), "answers.csv").get_data(as_text=True)
    assert "Ask [name] to co-run the weekly review" in text
    assert "Told a peer and [name]'s team" in text
    for name in ("Bruno", "Silva", "Asha", "Patel"):
        assert name not in text
