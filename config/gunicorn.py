"""gunicorn settings for the Procfile's web process."""

import multiprocessing
import os
from typing import Any

from gunicorn.glogging import Logger

from lti_app.log_redaction import redact

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("PEERLIFT_THREADS", "1"))
accesslog = "-"
errorlog = "-"
timeout = 30


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with session tokens and other URL secrets removed from every
    access-log field (request line, path, query, Referer and any header atom)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        found: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in found.items()
        }


logger_class = RedactingLogger


def post_worker_init(worker: Any) -> None:
    """Templates compiled and start-up objects frozen before the first request (lti_app.warm)."""
    from lti_app.warm import start_worker

    start_worker(worker.wsgi)
