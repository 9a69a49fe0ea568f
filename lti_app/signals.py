"""Moments one package announces and others may react to, without the one that
announces importing the ones that react (Flask's blinker signals).

Receivers connect in their package's ``init_app``; a receiver runs inside the
request, in its transaction, so it may add rows (flush, never commit) and ask for
jobs with ``jobs.after_commit``.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A person entered the tool through an LTI launch (sent by ``launch`` once the
#: launch is recorded). Keyword arguments: ``person``, ``activity`` (None for a
#: deep-linking launch) and ``claims`` (the validated id_token). The sender is the app.
launched = _signals.signal("peerlift.launched")
