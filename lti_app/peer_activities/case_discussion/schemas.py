"""Form input of the case discussion: what its views read from a posted form
(plain text, checked and sanitised by the services that take it). Its deep-linking
settings schema is in the package's ``__init__``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _texts(form: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in names}


def case_input(form: Mapping[str, Any]) -> dict[str, str]:
    """The case: title, body (rich text) and links (one a line)."""
    return _texts(form, ("title", "body", "links"))


def post_input(form: Mapping[str, Any]) -> dict[str, str]:
    """A post, or a thread's first post: title and body (rich text)."""
    return _texts(form, ("title", "body"))
