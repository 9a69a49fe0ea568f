"""Rejected launches: a precise reason for the log, a human one for the page."""

from __future__ import annotations


class LaunchError(Exception):
    """A launch or login that must be refused.

    ``code`` is stable (tests and logs key on it), ``reason`` is precise and goes
    only to the log, ``message`` is what the person in front of the LMS reads.
    """

    def __init__(
        self,
        code: str,
        reason: str,
        message: str | None = None,
        status: int = 400,
        *,
        new_window_url: str | None = None,
        title: str | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.message = message or GENERIC
        self.status = status
        self.new_window_url = new_window_url
        self.title = title or "Peerlift could not open this activity"
        #: Seconds, sent as ``Retry-After`` (a platform that is briefly unavailable).
        self.retry_after = retry_after


GENERIC = (
    "The launch from your learning platform could not be verified, so Peerlift did not open "
    "it. Go back to the course and open the activity again. If this keeps happening, tell "
    "your course administrator and quote the time and the reference below."
)
SETUP = (
    "This learning platform is not set up to use Peerlift yet, or its setup is incomplete. "
    "Your administrator can register it (see the Peerlift README); the reference below "
    "tells them exactly what is missing."
)
EXPIRED = (
    "This launch has expired or was already used. Go back to the course and open the "
    "activity again."
)
PLATFORM_KEYS_UNAVAILABLE = (
    "Your learning platform's keys could not be fetched, so Peerlift cannot check that this "
    "launch really comes from it. The platform may be busy or briefly down: wait a moment, "
    "then go back to the course and open the activity again."
)
PLATFORM_KEYS_UNUSABLE = (
    "Your learning platform published keys Peerlift cannot read, so it cannot check that "
    "this launch really comes from it. Try again later; if it keeps happening, tell your "
    "course administrator and quote the reference below."
)
