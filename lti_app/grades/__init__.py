"""Gradebook: line items, the score outbox, and delivery to the LMS (AGS)."""

from __future__ import annotations

from flask import Flask

from lti_app import jobs
from lti_app.grades import delivery_jobs, publishing, services
from lti_app.grades.cli import grades_cli

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Score delivery (the outbox's job and sweep), "Send grades" runs, ``flask grades``."""
    jobs.register_job(services.DELIVER, delivery_jobs.deliver_job, collapse=2)
    jobs.register_sweeper(delivery_jobs.sweep_due_scores)
    jobs.register_job(publishing.PUBLISH, publishing.publish_job, collapse=1)
    jobs.register_sweeper(publishing.sweep_stalled_sends)
    app.cli.add_command(grades_cli)
