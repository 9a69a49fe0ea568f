"""Role-play as an activity of the tool: everything it plugs in, in one place
(the contract: lti_app.peer_activities.registry). Installed by
``lti_app.peer_activities.init_app``."""

from __future__ import annotations

from lti_app.peer_activities.registry import GROUPING, ActivityType, Panel
from lti_app.peer_activities.role_play import (
    RolePlaySettings,
    checklist_views,
    completion,
    coverage,
    logistics_views,
    panel,
    views,
)
from lti_app.peer_activities.role_play import notices as role_play_notices

ROLE_PLAY = ActivityType(
    key="role_play",
    label="Role-play pairings",
    summary="Pairs or triads rehearse a practice as practitioner, client and observer; "
    "roles rotate each round and the observer's checklist becomes written feedback.",
    settings_schema=RolePlaySettings,
    rules="lti_app.peer_activities.role_play.settings_rules",
    capabilities=frozenset({GROUPING}),
    learner_panel=Panel("role_play/_activity.html", panel.learner_panel),
    staff_panel=Panel("role_play/_activity.html", panel.staff_panel),
    notices=role_play_notices.SOURCES,
    completion=completion.is_completed,
    blueprints=(views.bp, logistics_views.bp, checklist_views.bp),
    route_modules=(views, logistics_views, checklist_views),
    template_globals={"role_play_draft_gaps": coverage.draft_gaps},
)
