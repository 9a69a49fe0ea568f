"""The one error of the peer-review services."""

from __future__ import annotations


class PeerReviewError(ValueError):
    """Something a person asked for that the rules refuse; the message says why."""
