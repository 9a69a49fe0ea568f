"""Per-application launch objects (store, key cache, site), built once in the factory."""

from __future__ import annotations

from flask import Flask, current_app

from lti_app.launch.services import ToolSite
from lti_app.launch.state_store import Store, make_store
from lti_app.launch.validation import ValidationSettings
from lti_app.lms import registry
from lti_app.lms.platform_keys import PlatformKeyCache


def init_app(app: Flask) -> None:
    cfg = app.config
    registry.configure_cache(cfg["REGISTRY_CACHE_TTL_S"])
    app.extensions["peerlift.store"] = make_store(cfg["REDIS_URL"])
    app.extensions["peerlift.platform_keys"] = PlatformKeyCache(
        ttl=cfg["LTI_PLATFORM_JWKS_TTL_S"],
        refetch_interval=cfg["LTI_PLATFORM_JWKS_REFETCH_S"],
        timeout=cfg["LTI_HTTP_TIMEOUT_S"],
    )
    app.extensions["peerlift.site"] = ToolSite(
        base_url=cfg["BASE_URL"],
        state_ttl=cfg["LTI_LOGIN_STATE_TTL_S"],
        validation=ValidationSettings(
            leeway=cfg["LTI_CLOCK_LEEWAY_S"], max_age=cfg["LTI_MAX_TOKEN_AGE_S"]
        ),
    )


def store() -> Store:
    result: Store = current_app.extensions["peerlift.store"]
    return result


def platform_keys() -> PlatformKeyCache:
    result: PlatformKeyCache = current_app.extensions["peerlift.platform_keys"]
    return result


def site() -> ToolSite:
    result: ToolSite = current_app.extensions["peerlift.site"]
    return result
