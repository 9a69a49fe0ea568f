"""Test runs: a throwaway database per test (set by the fixtures)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.default import base_settings


def settings(env: Mapping[str, str]) -> dict[str, Any]:
    s = base_settings(env)
    s.update(
        ENV_NAME="testing",
        TESTING=True,
        BASE_URL="http://tool.test",
        SECRET_KEY="test-secret-key-not-for-production",  # noqa: S106 - tests only
        SQLALCHEMY_DATABASE_URI="sqlite://",
        COOKIE_SECURE=False,
        REGISTRATION_ALLOW_PRIVATE_URLS=True,
        SANDBOX_ENABLED=True,
        REDIS_URL="",
        # Tests change registrations directly in the database; no stale reads.
        REGISTRY_CACHE_TTL_S=0,
        # Tests run jobs explicitly (or switch to "eager").
        JOBS_MODE="off",
        CELERY_BROKER_URL="",
        GRADES_BACKOFF_BASE_S=0,
        # Token backoff is tested on its own (tests/lms/test_token_outage.py).
        LTI_TOKEN_BACKOFF_BASE_S=0,
        # Tests launch hundreds of times from one address; the rate-limit tests
        # switch it on with small limits.
        RATELIMIT_ENABLED=False,
        RATELIMIT_STORAGE_URI="memory://",
    )
    return s
