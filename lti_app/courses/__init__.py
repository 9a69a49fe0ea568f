"""People, courses and enrolments shared by every activity."""

from __future__ import annotations

from flask import Flask

from lti_app import jobs
from lti_app.courses import roster, roster_sweeps
from lti_app.courses.cli import roster_cli

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Roster sync (NRPS): its job, the sweeps that recover a stuck or missing sync,
    and ``flask roster``."""
    jobs.register_job(roster.SYNC, roster.sync_job, collapse=1)
    jobs.register_sweeper(roster_sweeps.sweep_stuck_syncs)
    jobs.register_sweeper(roster_sweeps.sweep_unsynced_rosters)
    app.cli.add_command(roster_cli)
