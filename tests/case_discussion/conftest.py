"""Fixtures for the case discussion tests: the grouping driver plus a discussion driver."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from tests.case_discussion.support import DiscussionDriver
from tests.grouping.support import GroupingDriver


class _SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by the tests' apps (as tests/grouping/conftest.py
    does: each test builds a new app). Keys include the source checksum."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedTemplateCache()


@pytest.fixture
def cd(lti: Any, app: Any) -> DiscussionDriver:
    app.jinja_env.bytecode_cache = _TEMPLATES
    return DiscussionDriver(GroupingDriver(lti, app))
