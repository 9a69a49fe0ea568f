"""Case discussion as an activity of the tool: everything it plugs in, in one place
(the contract: lti_app.peer_activities.registry). Installed by
``lti_app.peer_activities.init_app``.

Its blueprint ``case_discussion`` carries the routes of ``views`` and of
``facilitation_views`` (the facilitator's tools); both are loaded here."""

from __future__ import annotations

from lti_app.peer_activities.case_discussion import (
    CaseDiscussionSettings,
    completion,
    facilitation_views,
    overview,
    panel,
    routing,
    summaries,
    views,
)
from lti_app.peer_activities.case_discussion import notices as case_discussion_notices
from lti_app.peer_activities.case_discussion.models import SECTIONS
from lti_app.peer_activities.registry import GROUPING, ActivityType, Panel

CASE_DISCUSSION = ActivityType(
    key="case_discussion",
    label="Case discussion",
    summary="Small groups discuss a case, or a member presents a real challenge and the "
    "group brainstorms; a facilitator publishes a structured summary to everyone.",
    settings_schema=CaseDiscussionSettings,
    rules="lti_app.peer_activities.case_discussion.settings_rules",
    capabilities=frozenset({GROUPING}),
    learner_panel=Panel("case_discussion/_activity.html", panel.learner_panel),
    staff_panel=Panel("case_discussion/_activity.html", overview.staff_panel),
    notices=case_discussion_notices.SOURCES,
    completion=completion.is_completed,
    blueprints=(routing.bp,),
    route_modules=(views, facilitation_views),
    template_globals={
        "case_discussion_ago": panel.ago,
        "case_discussion_editable": panel.editable,
        "case_discussion_sections": SECTIONS,
        "case_discussion_section_labels": summaries.SECTION_LABELS,
    },
)
