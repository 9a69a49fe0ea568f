"""Learning gain and L&D analytics: objectives and pre/post checks on any activity,
mastery and gain scores for the gradebook, the feedback survey, the programme
dashboard, exports, the sponsor report and xAPI statements.

This package sits above the activities (it reads what they record) and below
launch; activities never import it. Its pieces reach the activity page through
template hooks (``analytics_*`` context processors), not imports.
"""

from __future__ import annotations

from flask import Flask

from lti_app import jobs, signals
from lti_app.analytics import reminders, rollup, views, xapi
from lti_app.peer_activities import notices

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Everything analytics adds to the app, in one place."""
    app.register_blueprint(views.bp)
    # The activity page's learning-checks panels (``analytics_learner``/``_staff``).
    app.context_processor(views.template_hooks)
    # "Your pre-/post-check is open" at a learner's next launch.
    notices.source(reminders.CHECKS_OPEN)
    # Keep the dashboard's rollups warm; collect xAPI statements (delivery is ``lrs``).
    jobs.register_sweeper(rollup.sweep_rollups)
    jobs.register_sweeper(xapi.sweep_statements)
    # A launch queues its "launched" statement (launch does not import analytics).
    signals.launched.connect(xapi.on_launch)
