"""Completion into the gradebook, and a learner's own data: the HTML export and
deletion on request (with confirmation)."""

from __future__ import annotations

import html
from datetime import datetime

from sqlalchemy import func, select

from lti_app.extensions import db
from lti_app.peer_activities.journal.models import (
    JournalActionItem,
    JournalActionUpdate,
    JournalCheckin,
    JournalCheckinAnswer,
    JournalEntry,
    JournalProgress,
)
from tests.journal.support import ASHA, BRUNO
from tests.support.lti import INSTRUCTOR


def test_completion_is_queued_once_when_the_rule_is_met(jd) -> None:
    jd.setup(entries_required="2")
    asha = jd.join(ASHA)
    jd.write(asha, "One")
    jd.add_item(asha, "Try it")
    assert jd.scores() == [] and jd.checkins(ASHA) == []
    jd.write(asha, "Two")
    assert jd.scores() == [(ASHA.sub, 100.0, 1)]
    jd.write(asha, "Three")
    jd.add_item(asha, "Try another")
    assert jd.scores() == [(ASHA.sub, 100.0, 1)]
    assert len(jd.checkins(ASHA)) == 3


def test_check_in_answers_are_never_graded_only_counted(jd, clock) -> None:
    jd.setup(completion="entries_and_checkins", checkin_days="30")
    asha = jd.join(ASHA)
    jd.complete(asha)
    assert jd.scores() == [(ASHA.sub, 50.0, 1)]
    [item] = jd.items(ASHA)
    clock.set(datetime(2026, 4, 1, 9))
    jd.answer(asha, jd.checkins(ASHA)[0].public_id, {item: "not_yet"}, confidence=1)
    assert jd.scores() == [(ASHA.sub, 100.0, 2)]


def test_staff_are_not_graded_and_cannot_write_entries(jd) -> None:
    staff = jd.setup()
    assert jd.write(staff, "Instructor note").status_code == 403
    assert jd.add_item(staff, "x").status_code == 403
    assert jd.scores() == []


def test_learner_downloads_their_own_journal_as_html(jd, clock) -> None:
    jd.setup()
    asha, bruno = jd.join(ASHA), jd.join(BRUNO)
    jd.write(bruno, "BRUNO-ENTRY", shared=True)
    jd.write(asha, "My <em>own</em> reflection", skills="Listening")
    jd.add_item(asha, "Hold a retro", evidence="Team suggests changes")
    [item] = jd.items(ASHA)
    clock.set(datetime(2026, 4, 1, 9))
    jd.answer(
        asha,
        jd.checkins(ASHA)[0].public_id,
        {item: "tried"},
        barriers=("Not enough time",),
        share_how="Wiki page",
    )
    resp = jd.get(asha, "export")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    text = html.unescape(resp.get_data(as_text=True))
    assert "My <em>own</em> reflection" in text and "Listening" in text
    assert "Hold a retro" in text and "Team suggests changes" in text
    assert "Tried it" in text and "Not enough time" in text and "Wiki page" in text
    assert "BRUNO-ENTRY" not in text


def _rows(app, model, sub: str) -> int:
    from lti_app.courses.models import Person

    with app.app_context():
        pid = db.session.scalar(select(Person.id).where(Person.sub == sub))
        count = db.session.scalar(
            select(func.count()).select_from(model).where(model.person_id == pid)
        )
        db.session.remove()
        return int(count or 0)


def _count(app, model) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return int(count or 0)


def test_learner_deletes_their_journal_data_after_confirming(jd, clock) -> None:
    jd.setup()
    asha, bruno = jd.join(ASHA), jd.join(BRUNO)
    jd.complete(asha)
    jd.complete(bruno)
    [item] = jd.items(ASHA)
    clock.set(datetime(2026, 4, 1, 9))
    jd.answer(asha, jd.checkins(ASHA)[0].public_id, {item: "tried"})
    assert jd.get(asha, "delete").status_code == 200
    refused = jd.post(asha, "delete", confirm="yes")
    assert refused.status_code == 422 and "Type DELETE" in refused.get_data(as_text=True)
    assert _rows(jd.app, JournalEntry, ASHA.sub) == 1
    assert jd.post(asha, "delete", confirm="DELETE").status_code == 303
    for model in (JournalEntry, JournalActionItem, JournalCheckin, JournalProgress):
        assert _rows(jd.app, model, ASHA.sub) == 0, model
        assert _rows(jd.app, model, BRUNO.sub) >= 1, model
    assert _count(jd.app, JournalCheckinAnswer) == 0
    assert _count(jd.app, JournalActionUpdate) == 1  # Bruno's item history only
    page = jd.page(jd.join(ASHA))
    assert "No entries yet." in page
    staff_page = jd.page(jd.enter(INSTRUCTOR))
    assert "I ran the meeting." in staff_page  # Bruno's entry stays
    assert "check-in is due" not in jd.enter(ASHA, link="any-link").html


def test_nobody_else_can_delete_or_export_a_learners_data(jd) -> None:
    staff = jd.setup()
    jd.complete(jd.join(ASHA))
    assert jd.post(staff, "delete", confirm="DELETE").status_code == 403
    assert jd.get(staff, "export").status_code == 403
    bruno = jd.join(BRUNO)
    assert jd.post(bruno, "delete", confirm="DELETE").status_code == 303
    assert _rows(jd.app, JournalEntry, ASHA.sub) == 1
