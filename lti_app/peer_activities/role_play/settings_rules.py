"""What may change in a role-play's settings once people have started (see
lti_app.peer_activities.settings_edit): group size is fixed once groups are
published, the number of rounds once a group has started playing. Round length and
the completion rule may change at any time; a looser rule completes whoever now
meets it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.grouping import rounds as grouping_rounds
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play import RolePlaySettings, completion
from lti_app.peer_activities.role_play.models import READY, RolePlayRound

GROUPS_PUBLISHED = (
    "Groups have been published, so their size is fixed: people already practise in them."
)
ROUNDS_STARTED = "Groups have started playing their rounds, so the number of rounds is fixed."


def locked(activity: Activity) -> dict[str, str]:
    """{setting: why it cannot change now}."""
    found: dict[str, str] = {}
    if grouping_rounds.published_of(activity) is not None:
        for name in RolePlaySettings().fields:
            if name.startswith("group_size"):
                found[name] = GROUPS_PUBLISHED
    started = db.session.scalar(
        select(RolePlayRound.id)
        .where(RolePlayRound.activity_id == activity.id, RolePlayRound.status != READY)
        .limit(1)
    )
    if started is not None:
        found["rounds"] = ROUNDS_STARTED
    return found


def applied(activity: Activity, before: dict[str, Any], after: dict[str, Any]) -> None:
    """A changed completion rule completes every group member who now meets it."""
    if before.get("completion") == after.get("completion"):
        return
    group_ids = set(
        db.session.scalars(
            select(RolePlayRound.group_id).where(RolePlayRound.activity_id == activity.id)
        )
    )
    for group_id in sorted(group_ids):
        completion.check_completion(activity, group_id)
