"""URL rules compiled once per test run, not once per test's app.

Every test builds a new app, and werkzeug compiles two small Python functions
(by ``ast`` and ``compile``) for each of the app's URL rules when it is
registered: most of ``create_app``'s time and about a fifth of a short test's.
The functions depend only on the rule's text and defaults (the rule itself is
passed in when they run), so rules equal in those reuse them. A test-speed aid
like ``tests/support/templates.py``; the app is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_compiled: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}
_compile_builder = getattr(Rule, "_compile_builder", None)


def _cached_builder(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    assert _compile_builder is not None
    defaults = self.defaults or {}
    trace = tuple(self._trace)
    if any(dynamic and name in defaults for dynamic, name in trace):
        return _compile_builder(self, append_unknown)  # a default converted into the rule
    key = (self.rule, append_unknown, trace, tuple(defaults))
    found = _compiled.get(key)
    if found is None:
        found = _compiled[key] = _compile_builder(self, append_unknown)
    return found


def share_compiled_rules() -> None:
    """Install the cache (no-op on a werkzeug without ``Rule._compile_builder``)."""
    if _compile_builder is not None:
        Rule._compile_builder = _cached_builder  # type: ignore[method-assign]
