"""What the activity page shows about the journal, per audience."""

from __future__ import annotations

from lti_app.peer_activities.models import Activity


def enabled(activity: Activity) -> bool:
    return activity.activity_type == "journal"
