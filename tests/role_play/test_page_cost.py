"""What role-play adds to the activity page in SQL statements: a fixed number,
however many rounds, members or feedback the groups have (before the per-member
rotation it was one statement per round for seats and several per round for
ratings: a learner's page of a triad cost 58 statements, now 42). Issue 17: the
rounds and their seats (with people) are one joined statement, no longer two, a
learner's guest rounds come in the same statement, and the instructor's groups
and skills summary read the activity's ratings once: 4 statements touch
role-play's tables for a learner (rounds with their completion, checklist,
scenarios, ratings) and 6 for the instructor (rounds, checklist, scenarios,
ratings, who is active, the completion count)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from lti_app.extensions import db
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, GRETA, HUGO


@contextmanager
def counted(app: Any) -> Iterator[list[str]]:
    found: list[str] = []

    def count(*args: Any) -> None:
        found.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _role_play(statements: list[str]) -> int:
    return sum(1 for s in statements if "role_play_" in s)


def _cost(rp, people, *, play: int = 0, **settings) -> tuple[int, int]:
    """Role-play statements of a learner's page and of the instructor's, once the
    rotation is planned and ``play`` rounds of Asha's group were played."""
    staff = rp.setup(people, **settings)
    rp.page(staff)
    for rnd in rp.rounds_of(ASHA)[:play]:
        rp.play_round(rnd)
    with counted(rp.app) as learner:
        rp.page(rp.visit(ASHA.sub))
    with counted(rp.app) as instructor:
        rp.page(staff)
    return _role_play(learner), _role_play(instructor)


def test_role_play_costs_the_same_statements_for_three_rounds_of_triads(rp) -> None:
    assert _cost(rp, (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI), group_size="3") == (4, 6)


def test_role_play_costs_the_same_statements_for_four_played_rounds_of_fours(rp) -> None:
    assert _cost(
        rp, (ASHA, BRUNO, CARLA, DEV, ELIF, FEMI, GRETA, HUGO), group_size="4", play=2
    ) == (4, 6)
