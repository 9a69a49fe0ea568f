"""Peerlift: peer-learning activities for any LMS, over LTI 1.3."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``test_config`` overrides the environment's settings."""
    # Lazy on purpose: every ``lti_app.*`` import runs this package first, and a
    # module (a model, a domain function) must not pull in the whole app with it.
    from lti_app import app_setup

    return app_setup.build(test_config)
