"""Answering a transfer check-in: per action item applied? (not yet / tried / in
regular use), barriers (picked, plus own words), share forward (with whom, how)
and confidence 1–5. Answers are evidence, never graded.

Side effects: updates the check-in, adds its answers, queues the completion score
(when the rule counts check-ins); flushes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.journal import clock, completion
from lti_app.peer_activities.journal.errors import JournalError
from lti_app.peer_activities.journal.models import (
    ANSWERED,
    APPLIED,
    CANCELLED,
    JournalActionItem,
    JournalCheckin,
    JournalCheckinAnswer,
)
from lti_app.peer_activities.journal.services import plans, schedule
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)

APPLIED_LABELS = {"not_yet": "Not yet", "tried": "Tried it", "regular": "In regular use"}
BARRIERS = (
    "No opportunity to use it yet",
    "Not enough time",
    "No support from my manager",
    "Resistance from colleagues",
    "Lacked tools or resources",
    "Unsure how to apply it",
    "Priorities changed",
    "Other",
)
SHARE_WITH = (
    "My team",
    "My manager",
    "Peers in other teams",
    "The wider organisation",
    "People outside my organisation",
)
CONFIDENCE = (
    (1, "1 — not at all confident"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 — very confident"),
)


@dataclass(frozen=True)
class CheckinInput:
    #: Action item public id → one of APPLIED.
    applied: dict[str, str]
    barriers: list[str]
    barrier_text: str
    share_with: list[str]
    share_how: str
    confidence: int


def checkin_of(activity: Activity, person: Person, public_id: str) -> JournalCheckin | None:
    """The learner's own check-in (scoped)."""
    return next(
        (c for c in schedule.checkins_of(activity, person.id) if c.public_id == public_id), None
    )


def answer_checkin(
    activity: Activity,
    person: Person,
    checkin: JournalCheckin,
    data: CheckinInput,
    items: list[JournalActionItem] | None = None,
) -> JournalCheckin:
    """Record the learner's answer to a due check-in (once). ``items``: the
    learner's plan items, when the caller has read them already."""
    if checkin.status == ANSWERED:
        raise JournalError("You have answered this check-in already. Thank you!", 409)
    if checkin.status == CANCELLED:
        raise JournalError("This check-in was cancelled: your journal was reopened.", 409)
    if not schedule.is_due(checkin):
        raise JournalError(f"This check-in opens on {checkin.due_at:%d %B %Y} (UTC).", 409)
    if schedule.is_closed(activity):
        raise JournalError(
            "The course's follow-up has closed; check-ins are no longer collected.", 409
        )
    if items is None:
        items = plans.items_of(activity, person.id)
    missing = [i.what for i in items if data.applied.get(i.public_id) not in APPLIED]
    if missing:
        raise JournalError(
            "Say for every plan item whether you applied it. Missing: " + "; ".join(missing) + ".",
            422,
        )
    # Added by its key: a check-in answered once has no answers to load first.
    db.session.add_all(
        JournalCheckinAnswer(
            checkin_id=checkin.id, item_id=item.id, applied=data.applied[item.public_id]
        )
        for item in items
    )
    checkin.barriers = data.barriers
    checkin.barrier_text = data.barrier_text
    checkin.share_with = data.share_with
    checkin.share_how = data.share_how
    checkin.confidence = data.confidence
    checkin.status = ANSWERED
    checkin.answered_at = clock.now()
    db.session.flush()
    db.session.expire(checkin, ["answers"])  # read again if asked for (no statement now)
    completion.update_score(activity, person)
    log.info("journal %s: check-in %s answered", activity.public_id, checkin.public_id)
    return checkin
