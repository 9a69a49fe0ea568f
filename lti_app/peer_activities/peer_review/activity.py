"""Peer assessment as an activity of the tool: everything it plugs in, in one place
(the contract: lti_app.peer_activities.registry). Installed by
``lti_app.peer_activities.init_app``.

Its blueprint ``peer_review`` carries the routes of ``views`` (learners),
``staff_views`` (staff pages), ``remedy_views`` (the short-of-reviews
remedies) and ``phase_views`` (the phase switched by hand); all four are loaded
here."""

from __future__ import annotations

from lti_app.grades.publishing import GradeSource
from lti_app.peer_activities.peer_review import (
    PeerReviewSettings,
    calibration_views,
    completion,
    gradebook,
    panel,
    phase_views,
    remedy_views,
    reminders,
    routing,
    rubric_editor_views,
    staff_views,
    views,
)
from lti_app.peer_activities.peer_review import notices as peer_review_notices
from lti_app.peer_activities.registry import ActivityType, Export, Job, Panel

PEER_REVIEW = ActivityType(
    key="peer_review",
    label="Peer assessment with feedback",
    summary="Learners submit work, review each other's against a rubric, and rate how "
    "helpful the feedback they received was.",
    settings_schema=PeerReviewSettings,
    rules="lti_app.peer_activities.peer_review.settings_rules",
    learner_panel=Panel("peer_review/_activity.html", panel.learner_panel),
    staff_panel=Panel("peer_review/_activity.html", panel.staff_panel),
    notices=peer_review_notices.SOURCES,
    completion=completion.is_completed,
    grade_columns=GradeSource(count=gradebook.count, plan=gradebook.plan),
    exports=(Export("Grades and reviews (CSV)", "peer_review.export"),),
    jobs=(Job(reminders.DUE_JOB, reminders.remind_due),),
    sweepers=(reminders.find_due_reminders,),
    blueprints=(routing.bp,),
    route_modules=(
        views,
        staff_views,
        remedy_views,
        calibration_views,
        phase_views,
        rubric_editor_views,
    ),
    template_globals={"peer_review_done": remedy_views.done_message},
)
