"""Check-ins scheduled from each learner's completion: a learner's 90 days on a
clock the tests move, due check-ins at the next launch from any link, and the
edge cases (reopened completion, settings changed, course-end anchor, follow-up
closed, UTC day boundaries)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.journal.support import ASHA, BRUNO
from tests.support.lti import INSTRUCTOR

BARRIER = "Not enough time"


def _notice(jd, user, link: str = "elsewhere-link") -> str:
    """The page a launch from another Peerlift link of the course lands on."""
    return jd.enter(user, link=link).html


def _due(checkins) -> dict[int, str]:
    return {c.day: f"{c.due_at:%Y-%m-%d %H:%M}/{c.status}" for c in checkins}


def test_a_learners_ninety_days(jd, clock) -> None:
    jd.setup(completion="entries_and_checkins")
    visit = jd.join(ASHA)
    assert jd.checkins(ASHA) == []
    jd.complete(visit)
    [item] = jd.items(ASHA)
    assert _due(jd.checkins(ASHA)) == {
        30: "2026-04-01 00:00/pending",
        60: "2026-05-01 00:00/pending",
        90: "2026-05-31 00:00/pending",
    }
    page = jd.page(visit)
    assert "You completed your journal on 2 March 2026 (UTC)" in page
    assert "1 April 2026 (UTC)" in page and "(in 30 days)" in page
    assert [s for _, s, _ in jd.scores()] == [25.0]

    for day, when, applied, confidence in (
        (30, datetime(2026, 4, 1, 7), "tried", 3),
        (60, datetime(2026, 5, 2, 18), "regular", 4),
        (90, datetime(2026, 6, 10, 12), "regular", 5),
    ):
        checkin = next(c for c in jd.checkins(ASHA) if c.day == day)
        # One minute before its UTC day starts: not due, no notice anywhere.
        clock.set(checkin.due_at - timedelta(minutes=1))
        assert "check-in is due" not in _notice(jd, ASHA)
        clock.set(when)
        landing = _notice(jd, ASHA)
        assert f"Your {day}-day check-in is due" in landing
        visit = jd.join(ASHA)
        resp = jd.answer(
            visit,
            checkin.public_id,
            {item: applied},
            barriers=(BARRIER,),
            share_with=("My team",),
            share_how="Told the team at stand-up",
            confidence=confidence,
        )
        assert resp.status_code == 303, resp.get_data(as_text=True)
        assert f"Your {day}-day check-in is due" not in _notice(jd, ASHA)
    assert [c.status for c in jd.checkins(ASHA)] == ["answered"] * 3
    # Completion 1 step + 3 check-ins, each queued once as it changed.
    assert [(s, v) for _, s, v in jd.scores()] == [(100.0, 4)]


def test_due_dates_are_utc_days_from_the_completion_instant(jd, clock) -> None:
    """23:30 UTC on 2 March is already 3 March in Sydney; the anchor is the UTC day."""
    jd.setup(checkin_days="1")
    clock.set(datetime(2026, 3, 2, 23, 30))
    visit = jd.join(ASHA)
    jd.complete(visit)
    [checkin] = jd.checkins(ASHA)
    assert checkin.due_at == datetime(2026, 3, 3, 0, 0)
    clock.set(datetime(2026, 3, 2, 23, 59, 59))
    assert "is due" not in _notice(jd, ASHA)
    clock.set(datetime(2026, 3, 3, 0, 0))
    assert "Your 1-day check-in is due" in _notice(jd, ASHA)
    assert "3 March 2026 (UTC)" in jd.page(jd.join(ASHA))


def test_a_check_in_cannot_be_answered_early_twice_or_by_someone_else(jd, clock) -> None:
    jd.setup()
    asha, bruno = jd.join(ASHA), jd.join(BRUNO)
    jd.complete(asha)
    [item] = jd.items(ASHA)
    first = jd.checkins(ASHA)[0]
    resp = jd.answer(asha, first.public_id, {item: "tried"})
    assert resp.status_code == 409 and "opens on 1 April 2026" in resp.get_data(as_text=True)
    clock.set(datetime(2026, 4, 1, 8))
    assert jd.answer(bruno, first.public_id, {item: "tried"}).status_code == 404
    assert jd.get(bruno, f"checkins/{first.public_id}").status_code == 404
    assert jd.answer(asha, first.public_id, {}).status_code == 422
    assert jd.answer(asha, first.public_id, {item: "tried"}, confidence=6).status_code == 422
    assert jd.answer(asha, first.public_id, {item: "sort of"}).status_code == 422
    assert jd.answer(asha, first.public_id, {item: "tried"}).status_code == 303
    again = jd.answer(asha, first.public_id, {item: "regular"})
    assert again.status_code == 409
    page = jd.get(asha, f"checkins/{first.public_id}").get_data(as_text=True)
    assert "You answered on 1 April 2026 (UTC)" in page and "Tried it" in page


def test_reopening_completion_cancels_unanswered_check_ins_and_reschedules(jd, clock) -> None:
    staff = jd.setup()
    asha = jd.join(ASHA)
    jd.complete(asha)
    [item] = jd.items(ASHA)
    clock.set(datetime(2026, 4, 1, 9))
    thirty = jd.checkins(ASHA)[0]
    assert jd.answer(asha, thirty.public_id, {item: "tried"}).status_code == 303
    clock.set(datetime(2026, 4, 11, 9))
    assert jd.post(staff, f"learners/{jd.person_id(ASHA)}/reopen").status_code == 303
    assert [c.status for c in jd.checkins(ASHA)] == ["answered", "cancelled", "cancelled"]
    assert jd.scores() == [(ASHA.sub, 0.0, 2)]  # no longer complete in the gradebook
    assert "check-in is due" not in _notice(jd, ASHA)
    assert "Your journal is complete once" in jd.page(jd.join(ASHA))
    # The learner's next save completes the journal again, from a new anchor.
    clock.set(datetime(2026, 4, 20, 15))
    assert jd.write(jd.join(ASHA), "Revised after talking to my instructor").status_code == 303
    assert _due(jd.checkins(ASHA)) == {
        30: thirty.due_at.strftime("%Y-%m-%d %H:%M") + "/answered",
        60: "2026-06-19 00:00/pending",
        90: "2026-07-19 00:00/pending",
    }
    assert jd.scores() == [(ASHA.sub, 100.0, 3)]


def test_changing_the_check_in_days_reschedules_unanswered_ones(jd, clock) -> None:
    staff = jd.setup()
    jd.complete(jd.join(ASHA))
    resp = jd.post(
        staff,
        "settings",
        checkin_days="14,45",
        anchor="completion",
        entries_required="1",
        completion="entries",
        prompts="",
    )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert _due(jd.checkins(ASHA)) == {
        14: "2026-03-16 00:00/pending",
        30: "2026-04-01 00:00/cancelled",
        45: "2026-04-16 00:00/pending",
        60: "2026-05-01 00:00/cancelled",
        90: "2026-05-31 00:00/cancelled",
    }
    page = jd.page(jd.join(ASHA))
    assert "16 March 2026 (UTC)" in page and "1 April 2026" not in page


def test_bad_settings_are_refused(jd) -> None:
    staff = jd.setup()
    for bad in (
        {"checkin_days": "30,30"},
        {"checkin_days": "0"},
        {"checkin_days": "soon"},
        {"anchor": "course_end", "course_end": ""},
        {"course_end": "next May"},
        {"entries_required": "0"},
    ):
        form = {
            "checkin_days": "30",
            "anchor": "completion",
            "entries_required": "1",
            "completion": "entries",
            **bad,
        }
        assert jd.post(staff, "settings", **form).status_code == 422, bad


def test_course_end_anchor_counts_from_the_later_of_end_and_completion(jd, clock) -> None:
    jd.setup(anchor="course_end", course_end="2026-03-20", checkin_days="30")
    jd.complete(jd.join(ASHA))
    clock.set(datetime(2026, 3, 25, 10))
    jd.complete(jd.join(BRUNO))
    assert _due(jd.checkins(ASHA)) == {30: "2026-04-19 00:00/pending"}
    assert _due(jd.checkins(BRUNO)) == {30: "2026-04-24 00:00/pending"}


def test_after_the_follow_up_closes_no_notice_and_no_answers(jd, clock) -> None:
    staff = jd.setup()
    asha = jd.join(ASHA)
    jd.complete(asha)
    [item] = jd.items(ASHA)
    assert (
        jd.post(
            staff,
            "settings",
            checkin_days="30,60,90",
            anchor="completion",
            followup_closes="2026-04-15",
            entries_required="1",
            completion="entries",
        ).status_code
        == 303
    )
    clock.set(datetime(2026, 4, 15, 23))
    assert "Your 30-day check-in is due" in _notice(jd, ASHA)
    clock.set(datetime(2026, 5, 2, 9))
    assert "check-in is due" not in _notice(jd, ASHA)
    sixty = jd.checkins(ASHA)[1]
    resp = jd.answer(jd.join(ASHA), sixty.public_id, {item: "tried"})
    assert resp.status_code == 409 and "follow-up has closed" in resp.get_data(as_text=True)


def test_staff_see_each_learners_check_in_status(jd, clock) -> None:
    jd.setup()
    asha = jd.join(ASHA)
    jd.join(BRUNO)
    jd.complete(asha)
    clock.set(datetime(2026, 4, 2, 9))
    page = jd.page(jd.enter(INSTRUCTOR))
    assert "Asha Patel" in page and "Bruno Silva" in page
    assert "Scheduled 2026-05-01" in page and ">Due<" in page


def test_a_refused_check_in_keeps_what_the_learner_entered(jd, clock) -> None:
    jd.setup()
    asha = jd.join(ASHA)
    jd.complete(asha)
    clock.set(datetime(2026, 4, 1, 9))
    checkin = jd.checkins(ASHA)[0]
    resp = jd.answer(
        asha, checkin.public_id, {}, barriers=(BARRIER,), share_how="Lunch and learn", confidence=3
    )
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "Say for every plan item" in text and "Lunch and learn" in text
    assert f'value="{BARRIER}" checked' in text and 'value="3" required checked' in text
