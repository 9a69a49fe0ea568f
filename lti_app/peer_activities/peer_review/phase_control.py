"""The instructor switches a peer assessment's phase by hand (or back to automatic,
from the due dates), and what each phase means for learners, in words for the
staff panel. The rules themselves are ``phases.RULES``.

Side effects: updates the activity's settings and flushes; the request commits.
"""

from __future__ import annotations

import logging
from typing import Any

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review import phases
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError
from lti_app.peer_activities.services import clean_settings

log = logging.getLogger(__name__)

#: The choice that hands the phase back to the due dates.
AUTOMATIC = "auto"

#: What learners can do in each phase, as the staff panel says it.
MEANINGS = {
    AUTOMATIC: "Phases follow the due dates; dates only flag lateness, nobody is locked out.",
    phases.SETUP: "Learners see only the description: nothing to hand in yet.",
    phases.SUBMISSION: "Learners hand in and edit their work; no reviewing yet.",
    phases.REVIEW: "Learners review each other's work (late work is still taken and "
    "reviewed) and rate the feedback they receive.",
    phases.FEEDBACK: "Submitting and reviewing are closed; authors read and rate their feedback.",
    phases.CLOSED: "Read-only: learners see their feedback and grades; nothing can change.",
}

#: The confirmations after a switch (``?done=phase-<key>``, see ``remedy_views``).
DONE_MESSAGES = {
    f"phase-{key}": f"Phase switched to “{label}”. {MEANINGS[key]}"
    for key, label in (
        (AUTOMATIC, "automatic, by due dates"),
        *((k, phases.MANUAL_LABELS[k]) for k in phases.MANUAL),
    )
}


def choices(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The staff panel's options: key, label, meaning, whether it is the current one."""
    chosen = phases.manual_phase(settings) or AUTOMATIC
    out = [
        {
            "key": AUTOMATIC,
            "label": "Automatic, by due dates",
            "meaning": MEANINGS[AUTOMATIC],
            "current": chosen == AUTOMATIC,
        }
    ]
    out.extend(
        {
            "key": key,
            "label": phases.MANUAL_LABELS[key],
            "meaning": MEANINGS[key],
            "current": chosen == key,
        }
        for key in phases.MANUAL
    )
    return out


def set_phase(activity: Activity, choice: str, by: Person) -> str:
    """Switch to ``choice`` (a phase of ``phases.MANUAL``, or ``AUTOMATIC``), noting
    who and when; returns the key of the confirmation. Refused with a message: an
    unknown phase."""
    if choice != AUTOMATIC and choice not in phases.MANUAL:
        raise PeerReviewError("Choose one of the phases listed.")
    merged = dict(activity.settings)
    if choice == AUTOMATIC:
        merged.update(phase=None, phase_set_by=None, phase_set_at=None)
    else:
        merged.update(
            phase=choice,
            phase_set_by=(by.display_name or "An instructor")[:255],
            phase_set_at=utcnow().strftime("%Y-%m-%dT%H:%M"),
        )
    activity.settings = clean_settings("peer_review", merged)
    db.session.flush()
    log.info("peer review %s: phase set to %s", activity.public_id, choice)
    return f"phase-{choice}"


_LEARNER_ACTIONS = (phases.SUBMIT, phases.EDIT, phases.REVIEW_WORK, phases.RESPOND)


def learner_may(settings: dict[str, Any]) -> dict[str, bool]:
    """What the phase lets a learner do now, for the page (``phases.RULES``)."""
    return {action: phases.allowed(settings, action) for action in _LEARNER_ACTIONS}


def learner_note(settings: dict[str, Any]) -> str:
    """One sentence on what the phase set by hand allows ("" in automatic mode)."""
    key = phases.phase_key(settings)
    if key == phases.AUTO:
        return ""
    if key in (phases.SETUP, phases.CLOSED):
        return phases.refusal(settings, phases.SUBMIT) or ""
    if key == phases.SUBMISSION:
        return "Hand in your work now; reviewing opens after the submission phase."
    if key == phases.REVIEW:
        return "Review your peers' work now."
    return "Submitting and reviewing are closed: read and rate the feedback on your work."
