"""Fixtures for the grouping tests: a driver for the survey → agreement → groups flow."""

from __future__ import annotations

from typing import Any

import pytest

from tests.grouping.support import GroupingDriver
from tests.support.templates import TEMPLATES


@pytest.fixture
def grouping(lti: Any, app: Any) -> GroupingDriver:
    app.jinja_env.bytecode_cache = TEMPLATES
    return GroupingDriver(lti, app)
