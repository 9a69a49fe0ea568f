"""Fixtures for the role-play tests: the grouping driver plus a role-play driver."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from tests.grouping.support import GroupingDriver
from tests.role_play.support import RolePlayDriver


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
def rp(lti: Any, app: Any) -> RolePlayDriver:
    app.jinja_env.bytecode_cache = _TEMPLATES
    return RolePlayDriver(GroupingDriver(lti, app))
