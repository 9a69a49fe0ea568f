"""Production: every secret from the environment; the sandbox LMS cannot be enabled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.default import base_settings


class ConfigError(RuntimeError):
    pass


def settings(env: Mapping[str, str]) -> dict[str, Any]:
    s = base_settings(env)
    missing = [
        name
        for name, key in (
            ("PEERLIFT_SECRET_KEY", "SECRET_KEY"),
            ("PEERLIFT_DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
            ("PEERLIFT_BASE_URL", "BASE_URL"),
        )
        if not s[key]
    ]
    if missing:
        raise ConfigError("production needs these environment variables: " + ", ".join(missing))
    if not s["BASE_URL"].startswith("https://"):
        raise ConfigError("PEERLIFT_BASE_URL must be https:// in production")
    s.update(
        ENV_NAME="production",
        COOKIE_SECURE=True,
        REGISTRATION_ALLOW_PRIVATE_URLS=False,
        # Deliberately not read from the environment: the sandbox LMS signs
        # launches with a key anyone can use, so it never runs in production.
        SANDBOX_ENABLED=False,
        PREFERRED_URL_SCHEME="https",
    )
    return s
