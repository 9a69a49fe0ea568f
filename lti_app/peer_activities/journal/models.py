"""Tables of the journal activity."""

from __future__ import annotations
