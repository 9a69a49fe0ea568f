"""Self-assessment scales (and the retrospective "before" rating) are measured and
shown, never graded."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from lti_app.analytics.models import AnalyticsItem, AnalyticsResponse
from lti_app.extensions import db
from tests.analytics.support import ANA, BEN


def _retro_setup(an) -> None:
    an.setup()
    resp = an.post(
        an.staff,
        "setup",
        objectives="Open a hard conversation\nListen first",
        retrospective="1",
        ceiling="90",
    )
    assert resp.status_code == 303
    assert an.add_scale("I can open a hard conversation").status_code == 303
    assert an.add_scale("I listen before I answer").status_code == 303


def test_a_check_of_self_assessment_scales_sends_nothing_to_the_gradebook(an) -> None:
    _retro_setup(an)
    assert an.check(ANA, "pre", 0, rating=4).status_code == 303
    an.open_post()
    assert an.check(ANA, "post", 0, rating=5, then=2).status_code == 303
    assert an.scores() == {}
    with an.app.app_context():
        post = db.session.query(AnalyticsResponse).filter_by(phase="post").one()
        assert (post.score, post.self_mean, post.retro_mean) == (None, 5.0, 2.0)


def test_self_ratings_do_not_change_a_knowledge_score(an) -> None:
    an.setup()
    an.add_knowledge(4)
    an.add_scale()
    an.check(ANA, "pre", 2, rating=1)
    an.check(BEN, "pre", 2, rating=5)
    an.open_post()
    an.check(ANA, "post", 3, rating=1)
    an.check(BEN, "post", 3, rating=5)
    scores = an.scores()
    assert scores[(ANA.sub, "mastery")] == scores[(BEN.sub, "mastery")]
    assert scores[(ANA.sub, "learning_gain")] == scores[(BEN.sub, "learning_gain")]


def test_the_retrospective_rating_is_required_when_asked(an) -> None:
    _retro_setup(an)
    an.open_post()
    resp = an.check(ANA, "post", 0, rating=4)  # no "before" ratings
    assert resp.status_code == 400
    assert "where you were before" in resp.get_data(as_text=True)
    page = an.page(an.join(ANA))
    assert "Thinking back to before this activity" in page
    assert "Open a hard conversation" in page


def test_the_database_refuses_a_scored_self_assessment_item(an, app) -> None:
    an.setup()
    an.add_scale()
    with app.app_context():
        item = db.session.query(AnalyticsItem).one()
        item.correct = 0
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
