"""Platforms, keys and LMS services; usable outside a request (CLI, workers)."""

from __future__ import annotations

from flask import Flask

from lti_app.lms import runtime
from lti_app.lms.cli import keys_cli, platforms_cli

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """LMS service clients (access tokens, the HTTP pool); ``flask platforms``/``keys``."""
    runtime.init_app(app)
    app.cli.add_command(platforms_cli)
    app.cli.add_command(keys_cli)
