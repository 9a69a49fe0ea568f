"""The action plan: concrete things a learner will try at work (what, by when,
how I will know), and the status of each over time.

Side effects: inserts/updates rows and flushes; the request commits. Every
status change adds a history row (``JournalActionUpdate``).
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.journal import clock
from lti_app.peer_activities.journal.errors import JournalError
from lti_app.peer_activities.journal.models import (
    ITEM_STATUSES,
    PLANNED,
    JournalActionItem,
    JournalActionUpdate,
)
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)

STATUS_LABELS = {"planned": "Planned", "started": "Started", "done": "Done", "dropped": "Dropped"}
MAX_ITEMS = 20


#: Prebuilt (hot: every journal page and check-in): bound at execution.
_ITEMS_OF = (
    select(JournalActionItem)
    .where(
        JournalActionItem.activity_id == bindparam("activity"),
        JournalActionItem.person_id == bindparam("person"),
    )
    .order_by(JournalActionItem.id)
)
_ITEMS_WITH_UPDATES = _ITEMS_OF.options(joinedload(JournalActionItem.updates))


def items_of(activity: Activity, person_id: int) -> list[JournalActionItem]:
    return list(db.session.scalars(_ITEMS_OF, {"activity": activity.id, "person": person_id}))


def items_with_updates(activity: Activity, person_id: int) -> list[JournalActionItem]:
    """``items_of`` with each item's updates, in one round trip (the learner's page
    lists them)."""
    params = {"activity": activity.id, "person": person_id}
    return list(db.session.scalars(_ITEMS_WITH_UPDATES, params).unique())


def item_of(activity: Activity, person: Person, public_id: str) -> JournalActionItem | None:
    """The learner's own item (scoped): anyone else's is None."""
    found: JournalActionItem | None = db.session.scalar(
        select(JournalActionItem).where(
            JournalActionItem.public_id == public_id,
            JournalActionItem.activity_id == activity.id,
            JournalActionItem.person_id == person.id,
        )
    )
    return found


def add_item(
    activity: Activity, person: Person, *, what: str, by_when: date | None, evidence: str
) -> JournalActionItem:
    if len(items_of(activity, person.id)) >= MAX_ITEMS:
        raise JournalError(f"Keep the plan to {MAX_ITEMS} items at most.", 422)
    item = JournalActionItem(
        activity_id=activity.id,
        person_id=person.id,
        what=what,
        by_when=by_when,
        evidence=evidence,
        status=PLANNED,
    )
    item.updates.append(JournalActionUpdate(status=PLANNED, note="", created_at=clock.now()))
    db.session.add(item)
    db.session.flush()
    log.info("journal %s: action item %s added", activity.public_id, item.public_id)
    return item


def update_item(item: JournalActionItem, *, what: str, by_when: date | None, evidence: str) -> None:
    item.what, item.by_when, item.evidence = what, by_when, evidence
    db.session.flush()


def set_status(item: JournalActionItem, status: str, note: str = "") -> JournalActionUpdate:
    """Record a new status (kept in the history even if unchanged, with its note)."""
    if status not in ITEM_STATUSES:
        raise JournalError("Choose planned, started, done or dropped.", 422)
    item.status = status
    update = JournalActionUpdate(status=status, note=note, created_at=clock.now())
    item.updates.append(update)
    db.session.flush()
    return update


def delete_item(item: JournalActionItem) -> None:
    db.session.delete(item)
    db.session.flush()
