"""Settings shared by every environment. Each value is documented in README.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def env_bool(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key)
    return int(raw) if raw else default


def env_list(env: Mapping[str, str], key: str) -> list[str]:
    return [item.strip() for item in env.get(key, "").split(",") if item.strip()]


def base_settings(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "ENV_NAME": "base",
        # Public origin of the tool, e.g. https://peerlift.example.org. Launch URLs,
        # target_link_uri checks and the registration JSON are built from it.
        "BASE_URL": env.get("PEERLIFT_BASE_URL", "").rstrip("/"),
        "SECRET_KEY": env.get("PEERLIFT_SECRET_KEY"),
        # Old secrets still accepted for verifying session tokens after a rotation.
        "SECRET_KEY_FALLBACKS": env_list(env, "PEERLIFT_SECRET_KEY_FALLBACKS"),
        "SQLALCHEMY_DATABASE_URI": env.get("PEERLIFT_DATABASE_URL"),
        # No pre-ping round trip per request: a dropped connection invalidates the
        # pool on first error, and connections are recycled before servers time out.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        # Shared store for single-use OIDC state/nonce. Empty: the database is used.
        "REDIS_URL": env.get("PEERLIFT_REDIS_URL", ""),
        # Cookies the tool sets inside the LMS iframe: Secure + SameSite=None + Partitioned.
        "COOKIE_SECURE": True,
        # Trust X-Forwarded-* from this many proxies (TLS terminated in front of gunicorn).
        "PROXY_FIX_HOPS": env_int(env, "PEERLIFT_PROXY_FIX_HOPS", 0),
        # Launch validation.
        "LTI_CLOCK_LEEWAY_S": env_int(env, "PEERLIFT_LTI_CLOCK_LEEWAY", 60),
        "LTI_MAX_TOKEN_AGE_S": env_int(env, "PEERLIFT_LTI_MAX_TOKEN_AGE", 600),
        "LTI_LOGIN_STATE_TTL_S": env_int(env, "PEERLIFT_LTI_STATE_TTL", 600),
        "LTI_PLATFORM_JWKS_TTL_S": env_int(env, "PEERLIFT_PLATFORM_JWKS_TTL", 3600),
        "LTI_PLATFORM_JWKS_REFETCH_S": 60,
        "LTI_HTTP_TIMEOUT_S": 5,
        # Seconds a process keeps registration/deployment rows before re-reading
        # them (an approval or removal reaches other processes within this time).
        "REGISTRY_CACHE_TTL_S": env_int(env, "PEERLIFT_REGISTRY_CACHE_TTL", 10),
        # The signed token that carries the tool session after a launch.
        "SESSION_TOKEN_MAX_AGE_S": env_int(env, "PEERLIFT_SESSION_TOKEN_MAX_AGE", 4 * 3600),
        # Dynamic registration: allow fetching platform URLs on private/loopback
        # addresses and over plain http (development and tests only).
        "REGISTRATION_ALLOW_PRIVATE_URLS": False,
        "REGISTRATION_INVITE_TTL_S": env_int(env, "PEERLIFT_INVITE_TTL", 7 * 24 * 3600),
        # Tool signing keys: how long a rotated-out key stays published.
        "KEY_ROTATION_OVERLAP_S": env_int(env, "PEERLIFT_KEY_OVERLAP", 7 * 24 * 3600),
        # The built-in sandbox LMS (development only; never in production).
        "SANDBOX_ENABLED": False,
        "LOG_LEVEL": env.get("PEERLIFT_LOG_LEVEL", "INFO"),
    }
