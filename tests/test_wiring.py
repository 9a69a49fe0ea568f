"""The app factory wires every package explicitly: building the app (not importing
some module first) is what registers jobs, sweeps, CLI groups, blueprints, notice
sources and the launch receiver."""

from __future__ import annotations

from typing import Any

from lti_app import signals
from lti_app.analytics import reminders, rollup, xapi
from lti_app.courses import roster_sweeps
from lti_app.grades import delivery_jobs, publishing
from lti_app.jobs import registry
from lti_app.lrs import outbox as lrs_outbox
from lti_app.mail import outbox as mail_outbox
from lti_app.peer_activities import notices
from tests.conftest import make_app


def test_building_the_app_registers_every_package_s_jobs_and_sweeps(tmp_path: Any) -> None:
    make_app(tmp_path)
    assert {
        "peerlift.sweep",
        "roster.sync",
        "grades.deliver",
        "grades.publish",
        "mail.send",
        "analytics.xapi_deliver",
    } <= set(registry.handlers())
    assert registry.collapse_slots("grades.deliver") == 2
    assert registry.collapse_slots("roster.sync") == registry.collapse_slots("grades.publish") == 1
    assert registry.handlers()["analytics.xapi_deliver"] is lrs_outbox.deliver_job
    assert {
        roster_sweeps.sweep_stuck_syncs,
        roster_sweeps.sweep_unsynced_rosters,
        delivery_jobs.sweep_due_scores,
        publishing.sweep_stalled_sends,
        mail_outbox._sweep,
        rollup.sweep_rollups,
        xapi.sweep_statements,
    } <= set(registry.sweepers())


def test_building_the_app_adds_blueprints_cli_groups_notices_and_the_launch_receiver(
    tmp_path: Any,
) -> None:
    app = make_app(tmp_path)
    assert {"launch", "analytics", "web"} <= set(app.blueprints)
    assert {"roster", "grades", "platforms", "keys"} <= set(app.cli.commands)
    assert notices._SOURCES[reminders.KEY] is reminders.CHECKS_OPEN
    assert xapi.on_launch in [ref() for ref in signals.launched.receivers.values()]
