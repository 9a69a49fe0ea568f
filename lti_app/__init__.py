"""Peerlift: peer-learning activities for any LMS, over LTI 1.3."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``test_config`` overrides the environment's settings."""
    from lti_app import app_setup

    return app_setup.build(test_config)
