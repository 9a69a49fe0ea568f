"""Compiled Jinja templates shared by every test's app (each test builds a new
app; compiling the activity pages again for each one is most of a page test's
time). Cache keys include the template source's checksum, so an edited template
is recompiled."""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class SharedTemplateCache(BytecodeCache):
    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedTemplateCache()
