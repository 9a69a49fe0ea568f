"""Warm a fresh web worker before it takes requests.

A worker compiles each Jinja template the first time a page uses it (the
activity page and its panels are about fifteen templates, a few milliseconds
each), so without this the first learners a new worker serves after a deploy,
a restart or a scale-out pay for it. ``config/gunicorn.py`` calls
:func:`compile_templates` in ``post_worker_init``; nothing else changes.
"""

from __future__ import annotations

from flask import Flask


def compile_templates(app: Flask) -> int:
    """Load every HTML template into the app's template cache; how many."""
    env = app.jinja_env
    names = env.list_templates(extensions=("html",))
    for name in names:
        env.get_template(name)
    return len(names)
