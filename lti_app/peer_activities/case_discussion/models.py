"""Tables of the case discussion activity."""

from __future__ import annotations
