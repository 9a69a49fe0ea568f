"""Fixtures for the grouping tests: a driver for the survey → agreement → groups flow."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from tests.grouping.support import GroupingDriver


class _SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by the tests' apps (each test builds a new app, and
    compiling the same templates again dominated these tests' run time). Keys
    include the template source's checksum, so an edited template is recompiled."""

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
def grouping(lti: Any, app: Any) -> GroupingDriver:
    app.jinja_env.bytecode_cache = _TEMPLATES
    return GroupingDriver(lti, app)
