"""Fixtures for the role-play tests: the grouping driver plus a role-play driver."""

from __future__ import annotations

from typing import Any

import pytest

from tests.grouping.support import GroupingDriver
from tests.role_play.support import RolePlayDriver
from tests.support.templates import TEMPLATES


@pytest.fixture
def rp(lti: Any, app: Any) -> RolePlayDriver:
    app.jinja_env.bytecode_cache = TEMPLATES
    return RolePlayDriver(GroupingDriver(lti, app))
