"""The journal's one error: a reason a person can read, and the HTTP status."""

from __future__ import annotations


class JournalError(Exception):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status
