"""End to end: an instructor writes a scenario and checklist; three learners play
three rounds of rotating roles, give feedback, compare ratings, and complete."""

from __future__ import annotations

import html

from tests.grouping.support import ASHA, BRUNO, CARLA
from tests.role_play.support import CARDS, card, text
from tests.support.lti import INSTRUCTOR

TRIAD = (ASHA, BRUNO, CARLA)


def test_triad_plays_three_rounds_and_each_completion_score_is_queued_once(rp) -> None:
    rp.setup(TRIAD, scenarios=3)
    rounds = rp.rounds_of(ASHA)
    assert [r.number for r in rounds] == [1, 2, 3]
    # Everyone plays every role once.
    for user in TRIAD:
        assert sorted(r.roles[user.sub] for r in rounds) == ["client", "observer", "practitioner"]
    for rnd in rounds:
        practitioner = rnd.who("practitioner")[0]
        observer = rnd.who("observer")[0]
        client = rnd.who("client")[0]
        # Each sees only their own card while the round is played.
        n = rnd.number
        for sub, role in rnd.roles.items():
            page = html.unescape(rp.page(rp.visit(sub)))
            assert card(role, n) in page
            assert all(card(other, n) not in page for other in CARDS if other != role)
        assert rp.act(practitioner, rnd, "start").status_code == 303
        page = html.unescape(rp.page(rp.visit(observer)))
        assert card("observer", n) in page and card("client", n) not in page
        assert rp.act(client, rnd, "end").status_code == 303
        # The round has ended: every card can be read.
        page = html.unescape(rp.page(rp.visit(practitioner)))
        assert all(card(role, n) in page for role in CARDS)
        assert "Still owed:" in page
        # The observer fills the checklist and writes feedback.
        said = f"Round {n}: you asked <em>open</em> questions."
        resp = rp.act(observer, rnd, "feedback", feedback=said, **rp.ratings(3))
        assert resp.status_code == 303
        # The practitioner sees nothing of it before rating themselves …
        page = rp.page(rp.visit(practitioner))
        assert said not in page
        # … then self-rates and sees the gap and the feedback.
        assert rp.act(practitioner, rnd, "self", **rp.ratings(4)).status_code == 303
        page = rp.page(rp.visit(practitioner))
        assert "you rated yourself 1.0 higher" in page
        assert said in page
        assert "Reflect:" in page
        # The client never sees the feedback meant for the practitioner.
        assert said not in rp.page(rp.visit(client))
    assert all(r.status == "done" for r in rp.rounds_of(ASHA))
    scores = rp.scores()
    assert [s[0] for s in scores] == sorted(u.sub for u in TRIAD)
    assert all(s[1] == 100 and s[2] == 1 for s in scores)
    assert "completed this role-play" in rp.page(ASHA)
    # Changing feedback later does not send the completion again.
    last = rp.rounds_of(ASHA)[-1]
    resp = rp.act(last.who("observer")[0], last, "feedback", feedback="Updated.", **rp.ratings(2))
    assert resp.status_code == 303
    assert rp.scores() == scores


def test_instructor_sees_rounds_who_is_stuck_counts_and_skill_chart(rp) -> None:
    staff = rp.setup(TRIAD)
    rounds = rp.rounds_of(ASHA)
    first = rounds[0]
    practitioner = first.who("practitioner")[0]
    rp.act(practitioner, first, "start")
    rp.act(practitioner, first, "end")
    rp.act(first.who("observer")[0], first, "feedback", feedback="Good.", **rp.ratings(2))
    page = html.unescape(rp.page(staff))
    assert "Groups and rounds" in page and "Feedback due" in page
    assert "(self-rating)" in page and "waiting on" in page
    assert "Questioning" in page and "2.0 of 4 (1 rating)" in page
    assert 'class="rp-bar-fill" style="width: 50%"' in page
    # Staff move the stuck round on.
    resp = rp.post(staff, f"rounds/{first.public_id}/advance")
    assert resp.status_code == 303
    assert rp.rounds_of(ASHA)[0].status == "done"
    assert "moved on by staff" in rp.page(staff)
    # The practitioner can still rate themselves afterwards.
    assert rp.act(practitioner, first, "self", **rp.ratings(3)).status_code == 303


def test_pairs_swap_roles_and_the_client_gives_feedback(rp) -> None:
    rp.setup((ASHA, BRUNO), group_size="2", rounds="2")
    rounds = rp.rounds_of(ASHA)
    assert len(rounds) == 2
    assert rounds[0].who("practitioner") == rounds[1].who("client")
    assert not rounds[0].who("observer")
    for rnd in rounds:
        rp.play_round(rnd)
    assert len(rp.scores()) == 2


def test_groups_of_four_have_two_observers_who_both_give_feedback(rp) -> None:
    from tests.grouping.support import DEV

    rp.setup((ASHA, BRUNO, CARLA, DEV), group_size="4", rounds="4")
    rounds = rp.rounds_of(ASHA)
    assert all(len(r.who("observer")) == 2 for r in rounds)
    for user in (ASHA, BRUNO, CARLA, DEV):
        assert sorted(r.roles[user.sub] for r in rounds) == [
            "client",
            "observer",
            "observer",
            "practitioner",
        ]
    first = rounds[0]
    practitioner = first.who("practitioner")[0]
    rp.act(practitioner, first, "start")
    rp.act(practitioner, first, "end")
    rp.act(first.who("observer")[0], first, "feedback", feedback="One.", **rp.ratings(2))
    rp.act(practitioner, first, "self", **rp.ratings(2))
    assert rp.rounds_of(ASHA)[0].status == "feedback_due"  # the second observer owes
    rp.act(first.who("observer")[1], first, "feedback", feedback="Two.", **rp.ratings(4))
    assert rp.rounds_of(ASHA)[0].status == "done"
    page = rp.page(rp.visit(practitioner))
    assert "One." in page and "Two." in page
    assert "you rated yourself 1.0 lower" in page  # 2 against the observers' 3.0
    for rnd in rounds[1:]:
        rp.play_round(rnd)
    assert len(rp.scores()) == 4


def test_rounds_played_rule_completes_without_waiting_for_feedback(rp) -> None:
    rp.setup(TRIAD, rounds="1", completion="rounds_played")
    rnd = rp.rounds_of(ASHA)[0]
    practitioner = rnd.who("practitioner")[0]
    rp.act(practitioner, rnd, "start")
    assert rp.scores() == []
    rp.act(practitioner, rnd, "end")
    assert [s[2] for s in rp.scores()] == [1, 1, 1]  # played: nobody waits for feedback
    # Feedback given afterwards does not send anything again.
    rp.act(rnd.who("observer")[0], rnd, "feedback", feedback="Late.", **rp.ratings(3))
    rp.act(practitioner, rnd, "self", **rp.ratings(3))
    assert [s[2] for s in rp.scores()] == [1, 1, 1]


def test_next_role_play_of_the_course_starts_everyone_on_a_role_they_have_not_played(rp) -> None:
    staff = rp.setup(TRIAD, rounds="1")
    first = rp.rounds_of(ASHA)[0]
    rp.play_round(first)
    # A second role-play in the same course: same people, a new link.
    rp.g.create_activity("role_play", link="second-link", group_size="3", rounds="1")
    staff = rp.g.enter(INSTRUCTOR, link="second-link")
    assert rp.g.form_groups(staff).status_code == 303
    rnd = rp.g.rounds()[-1]
    assert (
        rp.client.post(
            f"/g/{rp.activity}/rounds/{rnd.public_id}/publish", data={"t": staff.token}
        ).status_code
        == 303
    )
    for user in TRIAD:
        rp.visits[user.sub] = rp.g.enter(user, link="second-link")
    second = rp.rounds_of(ASHA)[0]
    for user in TRIAD:
        assert second.roles[user.sub] != first.roles[user.sub]


def test_a_late_joiner_observes_the_rounds_not_started_and_practises_in_an_added_round(rp) -> None:
    from tests.grouping.support import DEV

    staff = rp.setup(TRIAD)
    first = rp.rounds_of(ASHA)[0]
    practitioner = first.who("practitioner")[0]
    assert rp.act(practitioner, first, "start").status_code == 303
    rp.visits[DEV.sub] = rp.g.ready(DEV)
    rnd = rp.g.rounds()[-1]
    # The triad is full: Dev waits unless the instructor lets it grow to four.
    assert (
        rp.client.post(
            f"/g/{rp.activity}/rounds/{rnd.public_id}/late-joiners",
            data={"t": staff.token, "over_max": rp.g.person_id(DEV)},
        ).status_code
        == 200
    )
    rounds = rp.rounds_of(DEV)
    assert [r.number for r in rounds] == [2, 3, 4]
    assert [r.roles[DEV.sub] for r in rounds] == ["observer", "observer", "practitioner"]
    assert all(len(r.who("practitioner")) == 1 and len(r.who("client")) == 1 for r in rounds)
    # The round in progress is left as it was; the others keep their practitioners.
    assert DEV.sub not in rp.rounds_of(ASHA)[0].roles
    page = text(rp.page(rp.visit(DEV.sub)))
    assert "Your group plays 4 rounds" in page and "practitioner in round 4." in page
    assert "Round 2 of 4" in page


def test_a_round_is_re_run_with_a_replacement_from_another_group(rp) -> None:
    from tests.grouping.support import DEV, ELIF, FEMI

    people = TRIAD + (DEV, ELIF, FEMI)
    staff = rp.setup(people, rounds="1")
    rnd = rp.rounds_of(ASHA)[0]
    absent = rnd.who("client")[0]
    stand_in = next(u for u in people if u.sub not in rnd.roles)
    practitioner = rnd.who("practitioner")[0]
    host = next(u for u in people if u.sub == practitioner)
    rp.act(practitioner, rnd, "start")
    ids = {u.sub: rp.g.person_id(u) for u in people}
    # A replacement from the same group is refused; one from another group is not.
    same = rnd.who("observer")[0]
    resp = rp.post(
        staff, f"rounds/{rnd.public_id}/replace", absent=ids[absent], replacement=ids[same]
    )
    assert resp.status_code == 422 and "another group" in resp.get_data(as_text=True)
    resp = rp.post(
        staff, f"rounds/{rnd.public_id}/replace", absent=ids[absent], replacement=ids[stand_in.sub]
    )
    assert resp.status_code == 200
    assert (
        f"Round 1 will be played again from the start, with {stand_in.name} standing in for"
    ) in html.unescape(resp.get_data(as_text=True))
    rerun = rp.rounds_of(host)[0]
    assert rerun.status == "ready" and rerun.roles[stand_in.sub] == "client"
    assert absent not in rerun.roles
    page = html.unescape(rp.page(stand_in))
    assert "Standing in for an absent member of another group" in page
    assert card("client", 1) in page
    # The stand-in plays the round with them; the host group completes.
    rp.play_round(rerun)
    assert rp.rounds_of(host)[0].status == "done"
    scored = [s[0] for s in rp.scores()]
    assert stand_in.sub not in scored  # their own group's rounds are still to play
    assert practitioner in scored


def test_instructor_edits_a_scenario_and_the_checklist_and_errors_are_shown(rp) -> None:
    staff = rp.setup(TRIAD)
    new = rp.client.get(f"/rp/{rp.activity}/scenarios/new", query_string={"t": staff.token})
    assert new.status_code == 200 and "Practitioner's card" in new.get_data(as_text=True)
    resp = rp.post(staff, "scenarios", title="  ", practitioner_card="x")
    assert resp.status_code == 422 and "Give the scenario a title." in resp.get_data(as_text=True)
    page = rp.page(staff)
    assert "Budget talk 1" in page and "Questioning: asks open questions" in page
    resp = rp.post(staff, "checklist", checklist="Questioning: asks open questions\n: nothing")
    assert resp.status_code == 422 and "Line 2" in resp.get_data(as_text=True)


def test_the_shared_round_clock_is_on_the_page_without_the_script(rp) -> None:
    rp.setup(TRIAD)
    rnd = rp.rounds_of(ASHA)[0]
    practitioner = rnd.who("practitioner")[0]
    rp.act(practitioner, rnd, "start")
    page = rp.page(rp.visit(practitioner))
    assert "Round clock, the same for everyone in the round" in page
    assert "Start the clock for everyone" in page and ">not started<" in page
    assert "End the role-play: feedback is due" in page  # works without the script
    script = rp.client.get("/rp/static/role_play.js")
    assert script.status_code == 200 and b"data-round-clock" in script.data
    script.close()


def test_the_timer_runs_for_the_minutes_the_instructor_set(rp) -> None:
    rp.setup(TRIAD, round_minutes="25")
    rnd = rp.rounds_of(ASHA)[0]
    practitioner = rnd.who("practitioner")[0]
    rp.act(practitioner, rnd, "start")
    page = rp.page(rp.visit(practitioner))
    assert 'data-seconds="1500"' in page and ">25:00</strong>" in page
