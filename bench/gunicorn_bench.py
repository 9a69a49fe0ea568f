"""gunicorn config for ``bench/launch``: the production worker start-up hook only
(``config/gunicorn.py``'s ``post_worker_init``: templates compiled before the
first request), none of its other settings (bind, workers, logs come from the
command line)."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    from lti_app.warm import start_worker

    start_worker(worker.wsgi)
