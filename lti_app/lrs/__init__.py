"""The xAPI outbox: statements queued for the customer's Learning Record Store and
delivered by a job, like the other outboxes (``mail``, ``grades.delivery``).

It knows nothing of what a statement says: ``analytics.xapi`` builds them.
"""

from __future__ import annotations

from flask import Flask

from lti_app import jobs
from lti_app.lrs import outbox

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """The delivery job (the sweep that collects and re-enqueues is analytics')."""
    jobs.register_job(outbox.DELIVER, outbox.deliver_job)
