"""What may change in a case discussion's settings once people have started (see
lti_app.peer_activities.settings_edit): the format and the group size are fixed
once groups are published, the number of peer-coaching rounds once a round has
begun. The completion rule may change at any time; a looser rule completes whoever
now meets it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.peer_activities.case_discussion import CaseDiscussionSettings, completion, lookups
from lti_app.peer_activities.case_discussion.models import CaseDiscussionRound
from lti_app.peer_activities.grouping import rounds as grouping_rounds
from lti_app.peer_activities.models import Activity

GROUPS_PUBLISHED = (
    "Groups have been published, so their size is fixed: people already discuss in them."
)
FORMAT_FIXED = "Groups have been published and work in this format, so it is fixed."
ROUNDS_STARTED = "Peer coaching rounds have begun, so the number of rounds is fixed."
COMPLETION = ("completion_posts", "completion_summary")


def locked(activity: Activity) -> dict[str, str]:
    """{setting: why it cannot change now}."""
    found: dict[str, str] = {}
    if grouping_rounds.published_of(activity) is not None:
        found["mode"] = FORMAT_FIXED
        for name in CaseDiscussionSettings().fields:
            if name.startswith("group_size"):
                found[name] = GROUPS_PUBLISHED
    begun = db.session.scalar(
        select(CaseDiscussionRound.id)
        .where(CaseDiscussionRound.activity_id == activity.id)
        .limit(1)
    )
    if begun is not None:
        found["rounds"] = ROUNDS_STARTED
    return found


def applied(activity: Activity, before: dict[str, Any], after: dict[str, Any]) -> None:
    """A changed completion rule completes every group member who now meets it."""
    if all(before.get(k) == after.get(k) for k in COMPLETION):
        return
    for group in lookups.published_groups(activity):
        for member in group.members:
            completion.check_completion(activity, member.person)
