"""Peer coaching: each group's rounds, whose presenter rotates through the
members; per round the presenter states a challenge, the group asks clarifying
questions, then brainstorms, and the presenter records what they will try. Posts
in a round's thread carry the stage they were written in (see ``services``).

Side effects: inserts rounds and their threads on a group's first look, updates
a round's stage and plan, flushes; recording a plan sends ``plan_recorded`` (for
the reflection journal). The request commits.
"""

from __future__ import annotations

import logging

from blinker import Namespace
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.peer_activities.case_discussion import lookups
from lti_app.peer_activities.case_discussion.lookups import Access
from lti_app.peer_activities.case_discussion.models import (
    BRAINSTORM,
    CHALLENGE,
    DONE,
    PLAN,
    QUESTIONS,
    STAGES,
    CaseDiscussionRound,
    CaseDiscussionThread,
)
from lti_app.peer_activities.case_discussion.services import (
    CaseDiscussionError,
    clean_body,
    require_read,
)
from lti_app.peer_activities.grouping.models import GroupingGroup
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)

STAGE_LABELS = {
    CHALLENGE: "Challenge",
    QUESTIONS: "Clarifying questions",
    BRAINSTORM: "Brainstorm",
    PLAN: "What I will try",
    DONE: "Done",
}

_signals = Namespace()
#: Sent as ``plan_recorded.send(activity, person=presenter, plan=sanitised_html,
#: round_number=n)`` when a presenter records what they will try, so the reflection
#: journal can add it to their action plan without importing this package.
plan_recorded = _signals.signal("case-discussion-plan-recorded")


# -- peer-coaching rounds -----------------------------------------------------------------


def ensure_rounds(activity: Activity, group: GroupingGroup) -> list[CaseDiscussionRound]:
    """The group's peer-coaching rounds, created on first look: round k's presenter
    is the k-th member (wrapping around), each round with its own thread.

    Side effects: inserts rounds and threads once per group; a concurrent first
    look that loses the race reads the winner's rows."""
    existing = lookups.rounds_of(group)
    if existing or not lookups.is_peer_coaching(activity) or len(group.members) < 2:
        return existing
    members = sorted(group.members, key=lambda m: m.id)
    try:
        with db.session.begin_nested():
            for number in range(1, lookups.round_count(activity) + 1):
                presenter = members[(number - 1) % len(members)].person
                rnd = CaseDiscussionRound(
                    activity_id=activity.id,
                    group_id=group.id,
                    number=number,
                    presenter_id=presenter.id,
                )
                db.session.add(rnd)
                db.session.flush()
                db.session.add(
                    CaseDiscussionThread(
                        activity_id=activity.id,
                        group_id=group.id,
                        round_id=rnd.id,
                        title=f"Round {number}: {presenter.display_name}'s challenge",
                    )
                )
            db.session.flush()
    except IntegrityError:
        pass
    return lookups.rounds_of(group)


def current_round(rounds: list[CaseDiscussionRound]) -> CaseDiscussionRound | None:
    return next((r for r in rounds if r.stage != DONE), None)


def _require_round_lead(acc: Access, rnd: CaseDiscussionRound, person: Person) -> None:
    require_read(acc)
    if rnd.group_id != acc.group.id:
        raise CaseDiscussionError("This round belongs to another group.", 404)
    if person.id != rnd.presenter_id and not acc.can_moderate:
        raise CaseDiscussionError("The presenter or the facilitator moves the round on.", 403)
    current = current_round(lookups.rounds_of(acc.group))
    if current is None or current.id != rnd.id:
        raise CaseDiscussionError("This is not the round in progress.", 409)


def advance_stage(acc: Access, rnd: CaseDiscussionRound, person: Person) -> str:
    """Move the round to its next stage (challenge → questions → brainstorm → plan);
    the round is done once the presenter records what they will try."""
    _require_round_lead(acc, rnd, person)
    if rnd.stage == PLAN:
        raise CaseDiscussionError("Record what you will try to finish the round.", 409)
    if rnd.stage == CHALLENGE and not lookups.posted_in_round(rnd, rnd.presenter_id):
        raise CaseDiscussionError(
            f"{rnd.presenter.display_name} states the challenge in the round's thread first.", 409
        )
    rnd.stage = STAGES[STAGES.index(rnd.stage) + 1]
    db.session.flush()
    return rnd.stage


def record_plan(
    activity: Activity, acc: Access, rnd: CaseDiscussionRound, person: Person, text: str
) -> None:
    """The presenter records what they will try; the round is done and the next
    presenter's round begins."""
    require_read(acc)
    if rnd.group_id != acc.group.id:
        raise CaseDiscussionError("This round belongs to another group.", 404)
    if person.id != rnd.presenter_id:
        raise CaseDiscussionError("Only the presenter records what they will try.", 403)
    if rnd.stage not in (BRAINSTORM, PLAN, DONE):
        raise CaseDiscussionError("Hear the group's questions and ideas first.", 409)
    rnd.plan = clean_body(text)
    rnd.plan_recorded_at = utcnow()
    rnd.stage = DONE
    db.session.flush()
    log.info("case discussion %s: round %s plan recorded", activity.public_id, rnd.public_id)
    plan_recorded.send(activity, person=person, plan=rnd.plan, round_number=rnd.number)
