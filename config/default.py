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
        # Hosted Canvas on a vanity domain (canvas.school.edu): hosts allowed to
        # register for the shared canvas.instructure.com issuers.
        "REGISTRATION_CANVAS_HOSTS": env_list(env, "PEERLIFT_REGISTRATION_CANVAS_HOSTS"),
        # Tool signing keys: how long a rotated-out key stays published.
        "KEY_ROTATION_OVERLAP_S": env_int(env, "PEERLIFT_KEY_OVERLAP", 7 * 24 * 3600),
        # Background jobs (grade delivery, roster sync): "celery" (Redis broker,
        # separate worker processes), "thread" (in the web process; the embedded
        # default without Redis), "eager" or "off" (tests). Empty: celery when a
        # Redis URL is set, else thread.
        "JOBS_MODE": env.get("PEERLIFT_JOBS_MODE", "")
        or (
            "celery"
            if env.get("PEERLIFT_CELERY_BROKER_URL") or env.get("PEERLIFT_REDIS_URL")
            else "thread"
        ),
        "CELERY_BROKER_URL": env.get("PEERLIFT_CELERY_BROKER_URL")
        or env.get("PEERLIFT_REDIS_URL", ""),
        "CELERY_QUEUE": env.get("PEERLIFT_CELERY_QUEUE", "peerlift"),
        # Seconds between sweeps that re-enqueue due grades and stuck roster syncs.
        "JOBS_SWEEP_S": env_int(env, "PEERLIFT_JOBS_SWEEP", 15),
        # Grade delivery (AGS): scores per claimed batch, parallel requests per
        # worker, how long a worker owns a claimed score, retry backoff, and when
        # to give up on a score the LMS keeps failing (it then shows as failed,
        # with the reason, and can be retried by an instructor).
        "GRADES_BATCH": env_int(env, "PEERLIFT_GRADES_BATCH", 100),
        # "Send grades": learners per committed batch of the background run.
        "GRADES_PUBLISH_BATCH": env_int(env, "PEERLIFT_GRADES_PUBLISH_BATCH", 500),
        "GRADES_HTTP_THREADS": env_int(env, "PEERLIFT_GRADES_HTTP_THREADS", 8),
        "GRADES_LEASE_S": env_int(env, "PEERLIFT_GRADES_LEASE", 120),
        "GRADES_BACKOFF_BASE_S": env_int(env, "PEERLIFT_GRADES_BACKOFF_BASE", 10),
        "GRADES_BACKOFF_CAP_S": env_int(env, "PEERLIFT_GRADES_BACKOFF_CAP", 900),
        "GRADES_GIVE_UP_S": env_int(env, "PEERLIFT_GRADES_GIVE_UP", 3 * 24 * 3600),
        "LTI_SERVICE_TIMEOUT_S": env_int(env, "PEERLIFT_LTI_SERVICE_TIMEOUT", 10),
        # After a failed access-token request every process waits base × 2^(n−1)
        # seconds (jittered, capped; a longer Retry-After wins) before the next one.
        "LTI_TOKEN_BACKOFF_BASE_S": env_int(env, "PEERLIFT_LTI_TOKEN_BACKOFF_BASE", 10),
        "LTI_TOKEN_BACKOFF_CAP_S": env_int(env, "PEERLIFT_LTI_TOKEN_BACKOFF_CAP", 300),
        # Roster sync (NRPS): members per page (Canvas's maximum is 50), and how old
        # a sync may be before an instructor's launch starts a new one.
        "ROSTER_PAGE_SIZE": env_int(env, "PEERLIFT_ROSTER_PAGE_SIZE", 50),
        "ROSTER_STALE_S": env_int(env, "PEERLIFT_ROSTER_STALE", 3600),
        "ROSTER_LEASE_S": 900,
        # A course whose first roster sync failed (or never ran) is tried again
        # after this many seconds (longer for older courses, up to an hour).
        "ROSTER_RETRY_S": env_int(env, "PEERLIFT_ROSTER_RETRY", 120),
        # E-mail (reminders, nudges, summaries, due check-ins): off unless an SMTP
        # host is set; learners always see the same notices at their next launch.
        "MAIL_SMTP_HOST": env.get("PEERLIFT_SMTP_HOST", ""),
        "MAIL_SMTP_PORT": env_int(env, "PEERLIFT_SMTP_PORT", 25),
        "MAIL_SMTP_USER": env.get("PEERLIFT_SMTP_USER", ""),
        "MAIL_SMTP_PASSWORD": env.get("PEERLIFT_SMTP_PASSWORD", ""),
        "MAIL_SMTP_STARTTLS": env_bool(env, "PEERLIFT_SMTP_STARTTLS", False),
        "MAIL_SMTP_SSL": env_bool(env, "PEERLIFT_SMTP_SSL", False),
        "MAIL_SMTP_TIMEOUT": env_int(env, "PEERLIFT_SMTP_TIMEOUT", 10),
        "MAIL_FROM": env.get("PEERLIFT_MAIL_FROM", "no-reply@localhost"),
        # Seconds between scans of peer-review due dates for e-mail reminders.
        "PEER_REVIEW_REMINDER_SCAN_S": env_int(env, "PEERLIFT_PR_REMINDER_SCAN", 300),
        # Public base URL of the tool, for links in e-mail (empty: the request's).
        "PUBLIC_URL": env.get("PEERLIFT_PUBLIC_URL", ""),
        # Rate limits (Flask-Limiter) on login/launch and dynamic registration, per
        # client address. A cohort behind one corporate NAT launches from one
        # address, so launch limits are generous; registration is strict.
        "RATELIMIT_ENABLED": env_bool(env, "PEERLIFT_RATELIMIT", True),
        "RATELIMIT_LAUNCH": env.get("PEERLIFT_RATELIMIT_LAUNCH", "1200/minute;60/second"),
        "RATELIMIT_REGISTER": env.get("PEERLIFT_RATELIMIT_REGISTER", "20/hour"),
        "RATELIMIT_STORAGE_URI": env.get("PEERLIFT_REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": "peerlift-rl",
        "RATELIMIT_HEADERS_ENABLED": True,
        # A Redis outage must not turn launches into errors: count in memory meanwhile.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # xAPI statements to the customer's LRS (lti_app/analytics/xapi.py); off by default.
        "XAPI_ENABLED": env_bool(env, "PEERLIFT_XAPI_ENABLED", False),
        "XAPI_LRS_ENDPOINT": env.get("PEERLIFT_XAPI_LRS_ENDPOINT", ""),
        "XAPI_LRS_USERNAME": env.get("PEERLIFT_XAPI_LRS_USERNAME", ""),
        "XAPI_LRS_PASSWORD": env.get("PEERLIFT_XAPI_LRS_PASSWORD", ""),
        # The built-in sandbox LMS (development only; never in production).
        "SANDBOX_ENABLED": False,
        "LOG_LEVEL": env.get("PEERLIFT_LOG_LEVEL", "INFO"),
    }
