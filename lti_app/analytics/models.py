"""Tables of learning measurement and analytics."""

from __future__ import annotations
