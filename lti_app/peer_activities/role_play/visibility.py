"""What a person may read of a round. Privacy lives here, in the query, not in
templates: ``visible_cards`` returns only the cards a person may read, and
``received_feedback`` only the practitioner's own feedback, after they rated
themselves. Read-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lti_app.courses.models import Person
from lti_app.domain.rotation import CLIENT, OBSERVER, PRACTITIONER
from lti_app.peer_activities.role_play.lookups import ENDED, own_rating, ratings_of, seat_of
from lti_app.peer_activities.role_play.models import (
    OBSERVER_RATING,
    SELF_RATING,
    RolePlayRating,
    RolePlayRound,
    RolePlayScenario,
)


def visible_cards(
    rnd: RolePlayRound, scenario: RolePlayScenario | None, person: Person | None
) -> dict[str, str]:
    """Role → card HTML that ``person`` may read (``None``: staff, every card).
    A member reads their own role's card; the others once the round has ended."""
    if scenario is None:
        return {}
    cards = {
        PRACTITIONER: scenario.practitioner_card,
        CLIENT: scenario.client_card,
        OBSERVER: scenario.observer_card,
    }
    if person is None or rnd.status in ENDED:
        return cards
    seat = seat_of(rnd, person)
    return {seat.role: cards[seat.role]} if seat is not None else {}


@dataclass(frozen=True)
class GapRow:
    skill: str
    text: str
    self_rating: int | None
    observer_rating: float | None

    @property
    def gap(self) -> float | None:
        if self.self_rating is None or self.observer_rating is None:
            return None
        return round(self.self_rating - self.observer_rating, 1)


def received_feedback(
    rnd: RolePlayRound, person: Person, given: Sequence[RolePlayRating] | None = None
) -> list[RolePlayRating]:
    """The observers' ratings and feedback for the practitioner — only for the
    practitioner themselves, and only after they rated themselves. ``given``: the
    round's ratings when already loaded."""
    seat = seat_of(rnd, person)
    if (
        seat is None
        or seat.role != PRACTITIONER
        or own_rating(rnd, person, SELF_RATING, given) is None
    ):
        return []
    rows = ratings_of(rnd) if given is None else given
    return [r for r in rows if r.kind == OBSERVER_RATING]


def gap_rows(
    rnd: RolePlayRound,
    person: Person,
    items: Sequence[tuple[str, str, str]],
    given: Sequence[RolePlayRating] | None = None,
) -> list[GapRow]:
    """Self vs observer rating per checklist item (id, skill, text), for the
    practitioner after they rated themselves; empty for anyone else."""
    mine = own_rating(rnd, person, SELF_RATING, given)
    observed = received_feedback(rnd, person, given)
    if mine is None:
        return []
    rows = []
    for item_id, skill, text in items:
        values = [r.ratings[item_id] for r in observed if isinstance(r.ratings.get(item_id), int)]
        own = mine.ratings.get(item_id)
        rows.append(
            GapRow(
                skill,
                text,
                own if isinstance(own, int) else None,
                round(sum(values) / len(values), 1) if values else None,
            )
        )
    return rows
