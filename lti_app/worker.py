"""The Celery entry point: ``celery -A lti_app.worker worker`` (and ``beat``).

Builds the app once per worker process; every task runs in its own app context.
"""

from __future__ import annotations

from lti_app import create_app

app = create_app()
celery = app.extensions.get("peerlift.celery")
if celery is None:
    raise RuntimeError(
        "workers need JOBS_MODE=celery: set PEERLIFT_REDIS_URL (or PEERLIFT_CELERY_BROKER_URL)"
    )
