"""Configuration, one module per environment.

``PEERLIFT_ENV`` picks the environment (``development`` by default, ``testing``,
``production``). Secrets and deployment-specific values come only from
``PEERLIFT_*`` environment variables; nothing is read at import time of the
application package, only when :func:`load` is called by the app factory.
"""

from __future__ import annotations

import os
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")


def load(name: str | None = None) -> dict[str, Any]:
    """Return the settings of environment ``name`` (default: ``$PEERLIFT_ENV``)."""
    name = name or os.environ.get("PEERLIFT_ENV", "development")
    if name not in ENVIRONMENTS:
        raise RuntimeError(f"PEERLIFT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    import importlib

    module = importlib.import_module(f"config.{name}")
    settings: dict[str, Any] = module.settings(os.environ)
    return settings
