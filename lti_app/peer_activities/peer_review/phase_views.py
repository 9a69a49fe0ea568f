"""The instructor switches the phase of a peer assessment by hand (staff only;
same blueprint and scoping as ``views``). The answer is the activity page with a
confirmation of what learners can do now."""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from lti_app.actor.session import require_actor
from lti_app.peer_activities.peer_review import phase_control
from lti_app.peer_activities.peer_review.routing import bp, refused, scope
from lti_app.peer_activities.peer_review.services.errors import PeerReviewError


@bp.post("/<activity_id>/phase")
@require_actor(staff=True)
def set_phase(activity_id: str) -> Any:
    """Switch to the chosen phase (or back to automatic, by due dates)."""
    actor, activity = scope(activity_id)
    try:
        done = phase_control.set_phase(activity, request.form.get("phase", ""), actor.person)
    except PeerReviewError as exc:
        return refused(actor, activity, str(exc))
    return redirect(
        url_for(
            "activities.show",
            activity_id=activity.public_id,
            t=actor.token(),
            done=done,
            _anchor="peer-review",
        ),
        code=303,
    )
