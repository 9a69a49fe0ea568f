"""Fixtures for the case discussion tests: the grouping driver plus a discussion driver."""

from __future__ import annotations

from typing import Any

import pytest

from tests.case_discussion.support import DiscussionDriver
from tests.grouping.support import GroupingDriver
from tests.support.templates import TEMPLATES


@pytest.fixture
def cd(lti: Any, app: Any) -> DiscussionDriver:
    app.jinja_env.bytecode_cache = TEMPLATES
    return DiscussionDriver(GroupingDriver(lti, app))
