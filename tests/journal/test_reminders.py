"""The periodic task: due check-ins found by the sweep, one reminder e-mail each
(only with SMTP configured, never to inactive learners or after the follow-up
closed), carrying a signed deep link to that check-in only."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from lti_app import jobs
from lti_app.extensions import db
from lti_app.mail.models import MailMessage
from lti_app.peer_activities.journal.services import schedule
from tests.journal.support import ASHA, BRUNO


@pytest.fixture
def smtp(app):
    app.config["MAIL_SMTP_HOST"] = "smtp.test"
    return app


def _run_reminders(app) -> int:
    with app.app_context():
        sent = schedule.remind_due_checkins()
        db.session.commit()
        return sent


def _mail(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(MailMessage.to_address, MailMessage.subject, MailMessage.body).order_by(
                MailMessage.id
            )
        ).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def _link_path(body: str) -> str:
    match = re.search(r"(https?://\S+/j/link/\S+)", body)
    assert match is not None, body
    return urlsplit(match.group(1)).path


def test_the_sweep_enqueues_reminders_only_when_something_is_due(jd, clock, smtp) -> None:
    jd.setup()
    jd.complete(jd.join(ASHA))
    recorded = jobs.dispatcher(smtp)
    with smtp.app_context():
        recorded.sent.clear()
        schedule.find_due_checkins()
        assert recorded.sent == []
        clock.set(datetime(2026, 4, 1, 0, 5))
        schedule.find_due_checkins()
        assert recorded.sent == [(schedule.DUE_JOB, {})]
        # The whole sweep (as beat runs it) reaches the journal's sweeper too.
        recorded.sent.clear()
        jobs.sweep()
        assert (schedule.DUE_JOB, {}) in recorded.sent


def test_a_due_check_in_is_e_mailed_once_with_a_signed_link(jd, clock, smtp) -> None:
    jd.setup()
    jd.complete(jd.join(ASHA))
    assert _run_reminders(smtp) == 0
    clock.set(datetime(2026, 4, 1, 6))
    assert _run_reminders(smtp) == 1
    assert _run_reminders(smtp) == 0  # idempotent: reminded once
    [(to, subject, body)] = _mail(smtp)
    assert to == ASHA.email and "30-day check-in" in subject
    # The link opens that check-in for Asha, with a fresh session.
    resp = jd.client.get(_link_path(body))
    assert resp.status_code == 303
    page = jd.client.get(resp.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Your 30-day check-in" in text and "Send my check-in" in text


def test_no_mail_without_smtp(jd, clock, app) -> None:
    jd.setup()
    jd.complete(jd.join(ASHA))
    clock.set(datetime(2026, 4, 2))
    assert _run_reminders(app) == 0
    assert _mail(app) == []
    assert jd.checkins(ASHA)[0].reminder is None


def test_an_inactive_learner_gets_no_reminder_but_can_still_answer(jd, clock, smtp) -> None:
    jd.setup()
    jd.complete(jd.join(ASHA))
    jd.complete(jd.join(BRUNO))
    jd.set_status(ASHA, "inactive")
    clock.set(datetime(2026, 4, 1, 6))
    assert _run_reminders(smtp) == 1
    assert [to for to, _, _ in _mail(smtp)] == [BRUNO.email]
    assert jd.checkins(ASHA)[0].reminder == "inactive"
    # Back in the course, she meets the check-in at launch and may answer it.
    visit = jd.join(ASHA)
    assert "Your 30-day check-in is due" in visit.html
    [item] = jd.items(ASHA)
    resp = jd.answer(
        visit,
        jd.checkins(ASHA)[0].public_id,
        {item: "not_yet"},
        barriers=("No opportunity to use it yet",),
    )
    assert resp.status_code == 303


def test_no_reminder_after_the_follow_up_closed(jd, clock, smtp) -> None:
    jd.setup(followup_closes="2026-03-31")
    jd.complete(jd.join(ASHA))
    clock.set(datetime(2026, 4, 1, 6))
    assert _run_reminders(smtp) == 0
    assert jd.checkins(ASHA)[0].reminder == "closed"


def test_a_cancelled_check_in_is_not_e_mailed(jd, clock, smtp) -> None:
    staff = jd.setup()
    jd.complete(jd.join(ASHA))
    assert jd.post(staff, f"learners/{jd.person_id(ASHA)}/reopen").status_code == 303
    clock.set(datetime(2026, 4, 1, 6))
    assert _run_reminders(smtp) == 0 and _mail(smtp) == []


def test_an_altered_or_expired_link_does_not_open(jd, clock, smtp, monkeypatch) -> None:
    jd.setup()
    jd.complete(jd.join(ASHA))
    clock.set(datetime(2026, 4, 1, 6))
    _run_reminders(smtp)
    [(_, _, body)] = _mail(smtp)
    path = _link_path(body)
    assert jd.client.get(path[:-3] + "abc").status_code == 410
    import itsdangerous.timed

    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real(self) + 15 * 86400
    )
    assert jd.client.get(path).status_code == 410


def test_the_link_grants_only_that_learners_own_pages(jd, clock, smtp) -> None:
    jd.setup()
    bruno = jd.join(BRUNO)
    jd.write(bruno, "BRUNO-PRIVATE-note")
    jd.complete(jd.join(ASHA))
    clock.set(datetime(2026, 4, 1, 6))
    _run_reminders(smtp)
    [(_, _, body)] = _mail(smtp)
    location = jd.client.get(_link_path(body)).headers["Location"]
    token = re.search(r"[?&]t=([^&]+)", location).group(1)
    found = jd.client.get(f"/j/{jd.activity}/entries.json", query_string={"t": token})
    assert "BRUNO-PRIVATE-note" not in found.get_data(as_text=True)
    assert (
        jd.client.get(f"/j/{jd.activity}/answers.csv", query_string={"t": token}).status_code == 403
    )
