"""Pre/post checks end in the gradebook the platform records: mastery and learning
gain as separate line items, with the edge cases (ceiling, negative change,
missing pre) explained in each score's comment."""

from __future__ import annotations

import pytest

from tests.analytics.support import ANA, BEN, CHLOE, DIEGO, EMMA


@pytest.fixture
def ready(an):
    an.setup()
    an.add_knowledge(10)
    assert an.add_scale().status_code == 303
    return an


def test_gain_edge_cases_reach_the_gradebook_with_their_reasons(ready) -> None:
    an = ready
    for user, right in ((ANA, 4), (BEN, 10), (CHLOE, 8), (EMMA, 0)):
        assert an.check(user, "pre", right).status_code == 303
    an.join(DIEGO)  # misses the pre-check
    an.open_post()
    for user, right in ((ANA, 7), (BEN, 9), (CHLOE, 5), (DIEGO, 6), (EMMA, 0)):
        resp = an.check(user, "post", right)
        assert resp.status_code == 303, resp.get_data(as_text=True)
    scores = an.scores()

    # 40 % → 70 %: c = 30 / 60 = 0.5.
    assert scores[(ANA.sub, "mastery")][0] == pytest.approx(70.0)
    given, comment = scores[(ANA.sub, "learning_gain")]
    assert given == pytest.approx(50.0)
    assert comment == (
        "Your score went from 4 of 10 to 7 of 10: you gained 50% of the marks you could still gain."
    )

    # Ceiling: 100 % → 90 %; the gain column gets mastery, and says so.
    assert scores[(BEN.sub, "mastery")][0] == pytest.approx(90.0)
    given, comment = scores[(BEN.sub, "learning_gain")]
    assert given == pytest.approx(90.0)
    assert "close to full marks" in comment and "(9 of 10) is used" in comment

    # Negative change: 80 % → 50 %: c = −30 / 80 = −0.375 → recorded as 0, raw value kept.
    assert scores[(CHLOE.sub, "mastery")][0] == pytest.approx(50.0)
    given, comment = scores[(CHLOE.sub, "learning_gain")]
    assert given == 0.0 and "from 8 of 10 to 5 of 10" in comment and "no gain" in comment

    # No pre-check: mastery only, never an imputed gain.
    assert scores[(DIEGO.sub, "mastery")] == (pytest.approx(60.0), "Final check: 6 of 10 (60%).")
    assert (DIEGO.sub, "learning_gain") not in scores

    # 0 → 0: no change to show, gain 0 (not a grade of the floor).
    assert scores[(EMMA.sub, "learning_gain")][0] == 0.0
    assert scores[(EMMA.sub, "mastery")][0] == 0.0


def test_mastery_and_gain_are_separate_labelled_line_items(ready) -> None:
    an = ready
    an.check(ANA, "pre", 5)
    an.open_post()
    an.check(ANA, "post", 8)
    items = an.line_items()
    assert items["mastery"] == ("peerlift-mastery", "Coaching conversations: post-test mastery")
    assert items["learning_gain"] == (
        "peerlift-learning-gain",
        "Coaching conversations: learning gain",
    )


def test_the_pre_check_is_not_graded_and_closes_when_the_post_check_opens(ready) -> None:
    an = ready
    assert an.check(ANA, "post", 5).status_code == 409  # not open yet
    assert an.check(ANA, "pre", 5).status_code == 303
    assert an.scores() == {}
    assert an.check(ANA, "pre", 9).status_code == 409  # once only
    an.open_post()
    assert an.check(BEN, "pre", 5).status_code == 409  # closed now
    assert an.check(ANA, "post", 6).status_code == 303
    assert an.check(ANA, "post", 10).status_code == 409
    assert an.scores()[(ANA.sub, "mastery")][0] == pytest.approx(60.0)


def test_an_incomplete_check_is_refused_and_keeps_nothing(ready) -> None:
    an = ready
    form = an.answers(5)
    form.pop(next(iter(form)))
    visit = an.join(ANA)
    resp = an.post(visit, "checks/pre", **form)
    assert resp.status_code == 400
    assert "Please answer every question" in resp.get_data(as_text=True)
    assert an.check(ANA, "pre", 5).status_code == 303


def test_items_lock_once_a_learner_has_answered(ready) -> None:
    an = ready
    an.check(ANA, "pre", 5)
    resp = an.post(an.staff, "items", kind="knowledge", prompt="Late", options="a\nb", correct="1")
    assert resp.status_code == 409
    item = an.items()[0]
    assert an.post(an.staff, f"items/{item.public_id}/delete").status_code == 409
    assert len(an.items()) == 11


def test_a_learner_meets_the_open_check_at_their_next_launch(ready) -> None:
    an = ready
    page = an.enter(ANA, link="elsewhere-link").html
    assert "your pre-check is open" in page
    an.check(ANA, "pre", 5)
    assert "check is open" not in an.enter(ANA, link="elsewhere-link").html
    an.open_post()
    assert "your post-check is open" in an.enter(ANA, link="elsewhere-link").html
    an.check(ANA, "post", 5)
    assert "check is open" not in an.enter(ANA, link="elsewhere-link").html
    # Ben missed the pre-check: the post-check still waits for him (mastery only).
    assert "your post-check is open" in an.enter(BEN, link="elsewhere-link").html
