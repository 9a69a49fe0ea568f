"""What every metadata cleaner shares: the limits on what a file may unpack to,
the neutral values names are replaced with, and the two errors (``DocumentError``
for the person, ``Unreadable`` inside the cleaners)."""

from __future__ import annotations

#: Uncompressed size a zip document may unpack to (zip bombs).
MAX_UNPACKED = 200 * 1024 * 1024
MAX_MEMBERS = 20000
#: What neutral values replace names with.
NEUTRAL_AUTHOR = "Author"
NEUTRAL_INITIALS = "A"


class DocumentError(ValueError):
    """The file's metadata could not be removed with certainty; ``advice`` says
    how the person can make a file that can (already phrased for them)."""

    def __init__(self, reason: str, advice: str):
        super().__init__(reason)
        self.reason = reason
        self.advice = advice

    def message(self) -> str:
        """One paragraph for the person who uploaded the file."""
        return (
            f"We could not remove the author's name from this file ({self.reason}); "
            f"{self.advice} and upload again."
        )


class Unreadable(Exception):
    """The structure is not what the type promises, or holds what we cannot clean."""
