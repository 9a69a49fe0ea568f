"""Local development: SQLite file, plain http on localhost, sandbox LMS on."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from config.default import base_settings, env_bool

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _dev_secret() -> str:
    """A per-checkout random secret kept in instance/, so sessions survive restarts."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        os.chmod(path, 0o600)
    return path.read_text().strip()


def settings(env: Mapping[str, str]) -> dict[str, Any]:
    s = base_settings(env)
    s.update(
        ENV_NAME="development",
        BASE_URL=s["BASE_URL"] or "http://localhost:5000",
        SECRET_KEY=s["SECRET_KEY"] or _dev_secret(),
        SQLALCHEMY_DATABASE_URI=s["SQLALCHEMY_DATABASE_URI"]
        or f"sqlite:///{INSTANCE / 'peerlift.db'}",
        COOKIE_SECURE=env_bool(env, "PEERLIFT_COOKIE_SECURE", False),
        REGISTRATION_ALLOW_PRIVATE_URLS=True,
        SANDBOX_ENABLED=env_bool(env, "PEERLIFT_SANDBOX", True),
    )
    return s
