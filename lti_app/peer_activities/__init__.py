"""The peer activities, and the shared pages every activity is shown through.

An activity is one package here that describes itself with one
:class:`~lti_app.peer_activities.registry.ActivityType` (its ``activity.py``: the
contract) and one line in :func:`init_app`. Shared: the activity page and setup
(``views``), the instructor's Grades/Roster/Settings pages (``staff_views``), the
launch notices (``notices``), and ``grouping`` (a capability activities declare).
See docs/architecture.md.
"""

from __future__ import annotations

from flask import Flask

from lti_app.peer_activities import page, registry, staff_views, views
from lti_app.peer_activities.case_discussion.activity import CASE_DISCUSSION
from lti_app.peer_activities.grouping import panel as grouping_panel
from lti_app.peer_activities.grouping import round_views as grouping_round_views
from lti_app.peer_activities.grouping import routing as grouping_routing
from lti_app.peer_activities.grouping import views as grouping_views
from lti_app.peer_activities.grouping.cli import grouping_cli
from lti_app.peer_activities.journal.activity import JOURNAL
from lti_app.peer_activities.peer_review.activity import PEER_REVIEW
from lti_app.peer_activities.role_play.activity import ROLE_PLAY

#: The grouping view modules that add routes to ``grouping_routing.bp`` (imported for that).
GROUPING_ROUTE_MODULES = (grouping_views, grouping_round_views)

#: Every activity of the tool, in the order people meet them.
ACTIVITIES = (ROLE_PLAY, PEER_REVIEW, CASE_DISCUSSION, JOURNAL)


def init_app(app: Flask) -> None:
    """Wire the shared activity pages, the grouping capability and every activity
    into ``app``, in this order (each activity: its blueprints, template helpers,
    notices, jobs, sweepers and grade columns; see ``registry.install``)."""
    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(page.TEMPLATE_GLOBALS)
    app.jinja_env.filters.update(page.TEMPLATE_FILTERS)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(grouping_routing.bp)
    app.cli.add_command(grouping_cli)
    registry.add_capability(registry.GROUPING, **grouping_panel.PANELS)
    registry.install(app, ROLE_PLAY)
    registry.install(app, PEER_REVIEW)
    registry.install(app, CASE_DISCUSSION)
    registry.install(app, JOURNAL)
