"""The instructor switches a peer assessment's phase by hand; what learners see and
may do follows it (refused in the services, not only hidden), and reviews are
revealed to authors as the activity says."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lti_app.peer_activities.peer_review import phases
from lti_app.peer_activities.peer_review.phase_control import DONE_MESSAGES
from tests.peer_review.support import ANA, BEN, CHO, PeerReviewDriver
from tests.support.activity_driver import Visit
from tests.support.lti import INSTRUCTOR


def _switch(pr: PeerReviewDriver, staff: Visit, phase: str) -> str:
    resp = pr.client.post(f"/pr/{pr.activity}/phase", data={"t": staff.token, "phase": phase})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return pr.client.get(resp.headers["Location"]).get_data(as_text=True)


def _two_submitted(pr: PeerReviewDriver, **settings: str) -> tuple[Visit, Visit, Visit]:
    pr.create_activity(reviews_per_submission="1", **settings)
    staff = pr.enter(INSTRUCTOR)
    a, b = pr.enter(ANA), pr.enter(BEN)
    assert pr.submit(a, "<p>Ana's essay</p>").status_code == 303
    assert pr.submit(b, "<p>Ben's essay</p>").status_code == 303
    return staff, a, b


def test_by_default_the_phase_follows_the_dates_and_locks_nobody_out(
    pr: PeerReviewDriver,
) -> None:
    staff, a, b = _two_submitted(pr)
    assert "Automatic, by due dates" in pr.page(staff)
    rid = pr.open_review(a)
    assert pr.send_review(a, rid).status_code == 303
    assert pr.review_ids_received(b) == [rid]  # each review shown once done (as before)


def test_in_set_up_learners_see_only_the_description_and_cannot_hand_anything_in(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    page = _switch(pr, staff, "setup")
    assert DONE_MESSAGES["phase-setup"] in page
    a = pr.enter(ANA)
    learner_page = pr.page(a)
    assert "not opened yet" in learner_page
    assert 'name="body"' not in learner_page and "Start next review" not in learner_page
    refused = pr.submit(a, "Sneaking in early")
    assert refused.status_code == 422
    assert "has not opened yet" in refused.get_data(as_text=True)


def test_in_the_submission_phase_learners_submit_and_edit_but_cannot_review_yet(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(INSTRUCTOR)
    _switch(pr, staff, "submission")
    a, b = pr.enter(ANA), pr.enter(BEN)
    assert pr.submit(a, "First go").status_code == 303
    assert pr.submit(a, "Second go").status_code == 303  # edits until reviewing opens
    assert pr.submit(b, "Ben's").status_code == 303
    assert "Start next review" not in pr.page(a)
    refused = pr.next_review(a)
    assert refused.status_code == 409
    assert "Reviewing has not started yet" in refused.get_data(as_text=True)


def test_in_the_feedback_phase_submitting_and_reviewing_are_refused_but_rating_is_not(
    pr: PeerReviewDriver,
) -> None:
    staff, a, b = _two_submitted(pr, results_reveal="close")
    _switch(pr, staff, "review")
    rid = pr.open_review(a)
    assert pr.send_review(a, rid).status_code == 303
    assert pr.review_ids_received(b) == []  # "when reviewing is over": not yet
    open_one = pr.open_review(b)
    _switch(pr, staff, "feedback")
    assert pr.review_ids_received(b) == [rid]
    late = pr.send_review(b, open_one)
    assert late.status_code == 422 and "Reviewing has closed" in late.get_data(as_text=True)
    edit = pr.submit(a, "A change after the deadline")
    assert edit.status_code == 422 and "Submissions are closed" in edit.get_data(as_text=True)
    c = pr.enter(CHO)
    new = pr.submit(c, "Very late work")
    assert new.status_code == 422 and "Submissions are closed" in new.get_data(as_text=True)
    assert pr.rate(b, rid).status_code == 303
    # Staff may still review, whatever the phase.
    assert pr.next_review(staff).status_code == 303


def test_closed_is_read_only_with_results_visible(pr: PeerReviewDriver) -> None:
    staff, a, b = _two_submitted(pr, results_reveal="k")
    rid = pr.open_review(a)
    assert pr.send_review(a, rid).status_code == 303
    page = _switch(pr, staff, "closed")
    assert "set by hand" in page and "Closed: results" in page
    assert pr.review_ids_received(b) == [rid]
    rating = pr.rate(b, rid)
    assert rating.status_code == 422 and "This activity is closed" in rating.get_data(as_text=True)
    learner_page = pr.page(b)
    assert "How helpful was this feedback?" not in learner_page
    assert "Your grades" in learner_page
    assert 'name="body"' not in learner_page


def test_the_staff_panel_says_who_set_the_phase_and_automatic_clears_it(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    page = _switch(pr, staff, "review")
    assert f"by {INSTRUCTOR.name} on " in page and " UTC" in page
    page = _switch(pr, staff, "auto")
    assert "set by hand" not in page and f"by {INSTRUCTOR.name}" not in page
    assert DONE_MESSAGES["phase-auto"] in page


def test_an_unknown_phase_is_refused_and_learners_cannot_switch(pr: PeerReviewDriver) -> None:
    pr.create_activity()
    staff = pr.enter(INSTRUCTOR)
    bad = pr.client.post(f"/pr/{pr.activity}/phase", data={"t": staff.token, "phase": "party"})
    assert bad.status_code == 422 and "Choose one of the phases" in bad.get_data(as_text=True)
    a = pr.enter(ANA)
    assert (
        pr.client.post(
            f"/pr/{pr.activity}/phase", data={"t": a.token, "phase": "closed"}
        ).status_code
        == 403
    )


def test_with_reveal_at_k_an_author_sees_nothing_until_all_k_reviews_are_in(
    pr: PeerReviewDriver,
) -> None:
    pr.create_activity(reviews_per_submission="2", results_reveal="k")
    a, b, c = pr.enter(ANA), pr.enter(BEN), pr.enter(CHO)
    for visit in (a, b, c):
        assert pr.submit(visit).status_code == 303
    done: dict[str, list[str]] = {}
    for visit in (a, b, c):
        for _ in range(2):
            rid = pr.open_review(visit)
            assert pr.send_review(visit, rid).status_code == 303
            done.setdefault(visit.token, []).append(rid)
        # Some authors have 2 by now, some 1 or 0: the ones with fewer see none.
        for author in (a, b, c):
            seen = pr.review_ids_received(author)
            assert len(seen) in (0, 2)
    assert all(len(pr.review_ids_received(v)) == 2 for v in (a, b, c))


@settings(max_examples=60, deadline=None)
@given(
    phase=st.sampled_from((None, *phases.MANUAL)),
    reveal=st.sampled_from(("each", "k", "close", None)),
    done=st.integers(0, 6),
    k=st.integers(1, 6),
    fewer=st.booleans(),
)
def test_results_are_never_shown_in_set_up_always_at_feedback_and_close_and_else_as_set(
    phase: str | None, reveal: str | None, done: int, k: int, fewer: bool
) -> None:
    from datetime import datetime

    settings_ = {"phase": phase, "results_reveal": reveal}
    shown = phases.revealed(settings_, datetime(2026, 1, 1), done=done, k=k, fewer_accepted=fewer)
    if phase == phases.SETUP:
        assert not shown
    elif phase in (phases.FEEDBACK, phases.CLOSED):
        assert shown
    elif reveal == "k":
        assert shown == (done >= k or fewer)
    elif reveal == "close":
        assert not shown  # no due dates: reviewing is never over by itself
    else:
        assert shown


def test_every_phase_has_a_rule_and_every_refusal_a_sentence() -> None:
    actions = (phases.SUBMIT, phases.EDIT, phases.REVIEW_WORK, phases.RESPOND)
    for key in (phases.AUTO, *phases.MANUAL):
        assert key in phases.RULES
        for action in actions:
            settings_ = {"phase": None if key == phases.AUTO else key}
            why = phases.refusal(settings_, action)
            assert (why is None) == phases.allowed(settings_, action)
            assert why is None or (why[0].isupper() and why.endswith("."))
    assert all(phases.allowed({}, a) for a in actions)  # automatic: dates never lock


def test_the_for_you_notices_ask_only_for_what_the_phase_allows(pr: PeerReviewDriver) -> None:
    staff, a, _b = _two_submitted(pr)
    assert "You owe 1 review in" in pr.page(a)
    _switch(pr, staff, "feedback")
    page = pr.page(a)
    assert "You owe 1 review in" not in page and "Start next review" not in page
    c = pr.enter(CHO)
    assert "Submit your work for" not in pr.page(c)


def test_an_open_review_cannot_be_finished_once_the_instructor_closes_reviewing(
    pr: PeerReviewDriver,
) -> None:
    staff, a, _b = _two_submitted(pr)
    rid = pr.open_review(a)
    _switch(pr, staff, "closed")
    form = pr.client.get(f"/pr/{pr.activity}/reviews/{rid}", query_string={"t": a.token})
    text = form.get_data(as_text=True)
    assert "This activity is closed" in text and "Submit review" not in text
    refused = pr.send_review(a, rid, comment="Typed before the close")
    assert refused.status_code == 422
    assert "Typed before the close" in refused.get_data(as_text=True)  # nothing typed lost


def test_no_reminder_is_e_mailed_for_what_the_phase_set_by_hand_refuses() -> None:
    from datetime import datetime

    from lti_app.peer_activities.peer_review import reminders

    now = datetime(2026, 3, 2, 9, 0)
    dates = {"submission_due": "2026-03-02T12:00", "review_due": "2026-03-02T13:00"}
    assert [k for k, _ in reminders._due_phases(dates, now)] == ["submission", "review"]
    closed = [k for k, _ in reminders._due_phases({**dates, "phase": "feedback"}, now)]
    assert closed == []
    early = [k for k, _ in reminders._due_phases({**dates, "phase": "submission"}, now)]
    assert early == ["submission"]
