"""Reminders: what a learner owes in the course's peer reviews is shown at every
launch (from any link of the course), and e-mailed before a due date when SMTP
is configured — once per learner, activity, phase and due date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

import lti_app.peer_activities.peer_review.reminders as reminders
from lti_app import jobs
from lti_app.courses.models import Enrolment, Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.mail import outbox
from lti_app.mail.models import MailMessage
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.notices import peer_review_owed
from tests.peer_review.support import ANA, BEN, CHO, DAN, EVE, OTHER_COURSE, PeerReviewDriver
from tests.support.activity_driver import Visit
from tests.support.lti import INSTRUCTOR
from tests.test_mail import SmtpSink

DUE = "2026-12-01T17:00"


def _notices(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", n).strip()
        for n in re.findall(r'<li class="notice[^"]*"[^>]*>(.*?)</li>', html, re.S)
    ]


def _titles(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", n).strip()
        for n in re.findall(r'<li class="notice[^"]*"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    ]


def _course_with_a_journal_link(pr: PeerReviewDriver, **settings: Any) -> str:
    """A peer review in another course, a journal link in the demo course, and the
    peer review "Essay" in the demo course (``pr.activity``); returns the essay's id."""
    pr.title = "Other essay"
    pr.create_activity(link="pr-other", context=OTHER_COURSE)
    pr.enter(ANA)  # ANA takes part in the other course too
    pr.title = "Journal"
    pr.setup_activity("journal", link="journal-link")
    pr.title = "Essay"
    pr.create_activity(**settings)
    return pr.activity


def _from_journal(pr: PeerReviewDriver, user: Any) -> Visit:
    return pr.enter(user, link="journal-link")


def test_learners_see_what_they_owe_at_launch_from_another_link_until_they_did_it(
    pr: PeerReviewDriver,
) -> None:
    essay = _course_with_a_journal_link(pr, reviews_per_submission="2", submission_due=DUE)
    a, b, c = pr.enter(ANA), pr.enter(BEN), pr.enter(CHO)

    page = _from_journal(pr, ANA).html
    assert _titles(page) == ["Submit your work for Essay (due 01 Dec 2026 17:00 UTC)"]
    link = re.search(r'<a class="button" href="([^"]+)">Submit your work', page).group(1)  # type: ignore[union-attr]
    assert link.startswith(f"/a/{essay}?t=") and link.endswith("#peer-review")
    assert "Other essay" not in page  # another course's activity never shows
    assert pr.client.get(link.replace("&amp;", "&").split("#")[0]).status_code == 200

    for visit in (a, b, c):
        assert pr.submit(visit).status_code == 303
    page = _from_journal(pr, ANA).html
    assert _titles(page) == ["You owe 2 reviews in Essay"]

    for reviewer in (a, b):  # ANA reviews both; BEN reviews one (ANA's or CHO's)
        rid = pr.open_review(reviewer)
        assert pr.send_review(reviewer, rid).status_code == 303
    rid = pr.open_review(a)
    assert pr.send_review(a, rid).status_code == 303
    received = pr.review_ids_received(a)  # BEN took the oldest work most in need: ANA's
    assert len(received) == 1
    page = _from_journal(pr, ANA).html
    assert _titles(page) == ["Rate the feedback you received in Essay"]
    assert "1 review of your work waits for your rating" in page
    assert pr.rate(a, received[0]).status_code == 303
    page = _from_journal(pr, ANA).html
    assert [t for t in _titles(page) if "Essay" in t] == []
    assert "You owe 1 review in Essay" in _titles(_from_journal(pr, BEN).html)
    # Staff are never told they owe anything.
    assert not [t for t in _titles(pr.enter(INSTRUCTOR, link="journal-link").html) if "Essay" in t]


def test_an_overdue_submission_says_so_and_a_learner_moved_on_sees_nothing(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(submission_due="2020-01-01T09:00")
    pr.enter(BEN)
    notices = _notices(_from_essay(pr))
    assert any(
        "Submit your work for Essay (due 01 Jan 2020 09:00 UTC)" in n and "past the due date" in n
        for n in notices
    )
    staff = pr.enter(INSTRUCTOR)
    moved = pr.client.post(
        f"/pr/{pr.activity}/people/{pr.person_id(BEN)}/move-on",
        data={"t": staff.token, "reason": "Joined late"},
    )
    assert moved.status_code == 303
    assert not [n for n in _notices(_from_essay(pr)) if "Essay" in n]


def _from_essay(pr: PeerReviewDriver) -> str:
    return pr.enter(BEN).html


def test_the_launch_costs_two_queries_however_many_peer_reviews_the_course_has(
    pr: PeerReviewDriver,
) -> None:
    for n in range(3):
        pr.title = f"Essay {n}"
        pr.create_activity(link=f"pr-{n}")
    pr.enter(ANA)
    statements: list[str] = []
    from sqlalchemy import event

    with pr.app.app_context(), pr.app.test_request_context():
        from lti_app.actor.session import load_actor

        visit = pr.enter(ANA)
        actor = load_actor(visit.token)
        assert actor is not None

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            found = peer_review_owed(actor)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert sorted(n.title for n in found) == [f"Submit your work for Essay {n}" for n in range(3)]
    assert len(statements) == 1  # nobody submitted yet: the learner count is not needed


# -- e-mail -----------------------------------------------------------------------------------


@pytest.fixture
def smtp(pr: PeerReviewDriver) -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    sink.configure(pr.app)
    pr.app.config["PEER_REVIEW_REMINDER_SCAN_S"] = 0
    yield sink
    sink.stop()


def _person(user: Any) -> Person:
    return db.session.scalars(select(Person).where(Person.sub == user.sub)).one()


def _activity(pr: PeerReviewDriver) -> Activity:
    return db.session.scalars(select(Activity).where(Activity.public_id == pr.activity)).one()


def _in(hours: float) -> str:
    return (utcnow() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _sweep(pr: PeerReviewDriver) -> tuple[bool, int, int]:
    """One sweep as the worker runs it: (job asked for, e-mails queued, sent)."""
    with pr.app.app_context():
        asked = jobs.dispatcher().sent
        asked.clear()
        reminders.find_due_reminders()
        wanted = (reminders.DUE_JOB, {}) in asked
        queued = reminders.remind_due() if wanted else 0
        db.session.commit()
        sent = outbox.send_due()
        db.session.remove()
    return wanted, queued, sent


def test_one_reminder_per_learner_who_owes_even_when_the_sweep_runs_twice(
    pr: PeerReviewDriver, smtp: SmtpSink
) -> None:
    due = _in(5)
    pr.create_activity(reviews_per_submission="2", submission_due=due)
    a = pr.enter(ANA)
    pr.enter(BEN), pr.enter(CHO)
    assert pr.submit(a).status_code == 303
    assert _sweep(pr) == (True, 2, 2)
    assert _sweep(pr) == (True, 0, 0)
    assert smtp.to == ["ben@acme.test", "cho@acme.test"]
    _, _, message = smtp.received[0]
    assert message["Subject"] == "Reminder: submit your work for Essay"
    body = message.get_content()
    when = datetime.fromisoformat(due).strftime("%d %b %Y %H:%M")
    assert f"is due {when} UTC" in body and "Open “Essay” in your course" in body
    assert "http" not in body  # a tool cannot be opened without a launch
    with pr.app.app_context():
        keys = sorted(str(k) for k in db.session.scalars(select(MailMessage.dedupe_key)))
        essay = pr.activity
        assert keys == sorted(
            f"pr-remind:{essay}:{pr.person_id(u)}:submission:{due}" for u in (BEN, CHO)
        )


def test_review_reminders_count_what_is_owed_and_skip_inactive_and_addressless_learners(
    pr: PeerReviewDriver, smtp: SmtpSink
) -> None:
    pr.create_activity(reviews_per_submission="2", submission_due=_in(-30), review_due=_in(20))
    visits = [pr.enter(u) for u in (ANA, BEN, CHO, DAN, EVE)]
    for visit in visits:
        pr.submit(visit)
    rid = pr.open_review(visits[0])
    pr.send_review(visits[0], rid)
    with pr.app.app_context():
        cho = _person(CHO)
        db.session.scalars(
            select(Enrolment).where(Enrolment.person_id == cho.id)
        ).one().status = "inactive"
        _person(DAN).email = None
        db.session.commit()
    assert _sweep(pr)[1:] == (3, 3)
    subjects = {rcpts[0]: m["Subject"] for _, rcpts, m in smtp.received}
    assert subjects == {
        "ana@acme.test": "Reminder: 1 peer review to write for Essay",
        "ben@acme.test": "Reminder: 2 peer reviews to write for Essay",
        "eve@acme.test": "Reminder: 2 peer reviews to write for Essay",
    }
    # The submission due date passed 30 hours ago, but everybody submitted: nothing.


def test_no_email_without_smtp_when_switched_off_or_when_the_due_date_is_far(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(submission_due=_in(3))
    pr.enter(BEN)
    assert _sweep(pr) == (False, 0, 0)  # SMTP not configured
    sink = SmtpSink().start()
    try:
        sink.configure(pr.app)
        pr.app.config["PEER_REVIEW_REMINDER_SCAN_S"] = 0
        with pr.app.app_context():
            activity = _activity(pr)
            activity.settings = {**activity.settings, "submission_due": _in(48)}
            db.session.commit()
        assert _sweep(pr) == (False, 0, 0)  # not yet within 24 hours
        with pr.app.app_context():
            activity = _activity(pr)
            activity.settings = {
                **activity.settings,
                "submission_due": _in(3),
                "email_reminders": False,
            }
            db.session.commit()
        assert _sweep(pr) == (False, 0, 0)  # switched off for this activity
        with pr.app.app_context():
            assert db.session.scalar(select(MailMessage.id)) is None
    finally:
        sink.stop()
    assert sink.received == []


def test_the_sweep_reads_due_dates_only_every_scan_interval(
    pr: PeerReviewDriver, smtp: SmtpSink
) -> None:
    pr.create_activity(submission_due=_in(3))
    pr.enter(BEN)
    pr.app.config["PEER_REVIEW_REMINDER_SCAN_S"] = 300
    assert _sweep(pr)[0] is True
    assert _sweep(pr)[0] is False  # within the interval: no query, no job


def test_a_moved_due_date_reminds_again_and_a_down_server_only_delays_it(
    pr: PeerReviewDriver, smtp: SmtpSink
) -> None:
    pr.create_activity(submission_due=_in(2))
    pr.enter(BEN)
    assert _sweep(pr)[1:] == (1, 1)
    smtp.stop()
    with pr.app.app_context():
        activity = _activity(pr)
        activity.settings = {**activity.settings, "submission_due": _in(10)}
        db.session.commit()
    assert _sweep(pr)[1:] == (1, 0)
    with pr.app.app_context():
        pending = db.session.scalars(
            select(MailMessage).where(MailMessage.status == "pending")
        ).one()
        assert "SMTP server unavailable" in (pending.last_error or "")
        pending.next_attempt_at = utcnow() - timedelta(seconds=1)  # its backoff passed
        db.session.commit()
    smtp.start()
    assert _sweep(pr)[1:] == (0, 1)
    assert smtp.to == ["ben@acme.test", "ben@acme.test"]
