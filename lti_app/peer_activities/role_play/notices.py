"""Role-play's launch notices: none. A round is played live by its group, and the
activity page itself says whose turn it is and what feedback is owed (``panel``)."""

from __future__ import annotations

from lti_app.peer_activities import notices

#: What the activity registers (see activity.py).
SOURCES: tuple[notices.Source, ...] = ()
