"""A learner's own journal: everything we hold about them in one activity (for the
export), and deleting it on their request.

Deletion removes their entries, action plan (with its history, check-in answers
and observation requests), check-ins and progress. Scores already sent to the
LMS gradebook stay in the LMS (the LMS owns its gradebook); the score record is
kept so the gradebook is not re-sent. Side effects: deletes rows and flushes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.journal.models import (
    JournalActionItem,
    JournalCheckin,
    JournalEntry,
    JournalObservation,
    JournalProgress,
)
from lti_app.peer_activities.journal.services import plans, schedule
from lti_app.peer_activities.journal.services.observations import observations_of
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)


@dataclass
class OwnJournal:
    entries: list[JournalEntry]
    items: list[JournalActionItem]
    checkins: list[JournalCheckin]
    observations: dict[int, list[JournalObservation]]


def own_journal(activity: Activity, person: Person) -> OwnJournal:
    entries = list(
        db.session.scalars(
            select(JournalEntry)
            .where(JournalEntry.activity_id == activity.id, JournalEntry.person_id == person.id)
            .order_by(JournalEntry.created_at, JournalEntry.id)
        )
    )
    items = plans.items_of(activity, person.id)
    return OwnJournal(
        entries,
        items,
        schedule.checkins_of(activity, person.id),
        observations_of([i.id for i in items]),
    )


def delete_own_data(activity: Activity, person: Person) -> dict[str, int]:
    """Delete everything the learner wrote in this journal; returns counts."""
    counts: dict[str, int] = {}
    item_ids = list(
        db.session.scalars(
            select(JournalActionItem.id).where(
                JournalActionItem.activity_id == activity.id,
                JournalActionItem.person_id == person.id,
            )
        )
    )
    if item_ids:
        db.session.execute(
            delete(JournalObservation).where(JournalObservation.item_id.in_(item_ids))
        )
    for name, model in (
        ("entries", JournalEntry),
        ("checkins", JournalCheckin),
        ("plan items", JournalActionItem),
        ("progress", JournalProgress),
    ):
        rows = list(
            db.session.scalars(
                select(model).where(model.activity_id == activity.id, model.person_id == person.id)
            )
        )
        counts[name] = len(rows)
        for row in rows:
            db.session.delete(row)
    db.session.flush()
    log.info(
        "journal %s: %s deleted their journal data %s", activity.public_id, person.public_id, counts
    )
    return counts
