"""Who facilitates each group's discussion, and the facilitator's nudges: staff give
a member the facilitator role (or take it back); a facilitator (or staff) sends a
member a gentle note, shown at their next launch and e-mailed when mail is
configured. Threads, posts and moderation are in ``services``.

Refuses with ``CaseDiscussionError`` (its ``status`` is the HTTP answer) what the
``Access`` does not allow. Side effects: inserts/updates rows and flushes; a nudge
queues an e-mail (sent only when SMTP is configured, after commit). The request
commits.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from lti_app import mail
from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.case_discussion import lookups
from lti_app.peer_activities.case_discussion.lookups import Access
from lti_app.peer_activities.case_discussion.models import (
    CaseDiscussionFacilitator,
    CaseDiscussionNudge,
)
from lti_app.peer_activities.case_discussion.services import (
    CaseDiscussionError,
    require_moderator,
)
from lti_app.peer_activities.grouping.models import GroupingGroup
from lti_app.peer_activities.models import Activity

log = logging.getLogger(__name__)

#: The longest nudge (characters).
NUDGE_LIMIT = 1000


# -- nudges -------------------------------------------------------------------------------

DEFAULT_NUDGE = (
    "Hi {name}, we'd love to hear from you in our group's discussion. Even a short "
    "thought or a question helps the group. No pressure, whenever you're ready."
)


def default_nudge(person: Person) -> str:
    return DEFAULT_NUDGE.format(name=person.given_name or person.display_name)


def send_nudge(
    activity: Activity, acc: Access, sender: Person, recipient: Person, text: str, link: str
) -> CaseDiscussionNudge:
    """A gentle note to a member, shown at their next launch (any Peerlift link of
    the course) and e-mailed when mail is configured."""
    require_moderator(acc)
    if not lookups.is_member(acc.group, recipient):
        raise CaseDiscussionError("Nudge members of this group only.", 404)
    text = (text or "").strip()
    if not text:
        raise CaseDiscussionError("Write the note you want to send.", 422)
    if len(text) > NUDGE_LIMIT:
        raise CaseDiscussionError(f"Keep the note under {NUDGE_LIMIT} characters.", 422)
    nudge = CaseDiscussionNudge(
        activity_id=activity.id,
        group_id=acc.group.id,
        person_id=recipient.id,
        sender_id=sender.id,
        text=text,
    )
    db.session.add(nudge)
    db.session.flush()
    mail.queue(
        to=recipient.email,
        subject=f"{sender.display_name}: your group in {activity.title or 'Peerlift'}",
        body=f"{text}\n\nOpen the discussion from your course: {link}\n",
        dedupe_key=f"cd-nudge:{nudge.public_id}",
    )
    log.info("case discussion %s: nudge to %s", activity.public_id, recipient.public_id)
    return nudge


# -- facilitators -------------------------------------------------------------------------


def set_facilitator(
    activity: Activity, group: GroupingGroup, person_public_id: str, on: bool
) -> Person:
    """Staff give a member of the group the facilitator role (or take it back)."""
    member = next((m for m in group.members if m.person.public_id == person_public_id), None)
    if member is None:
        raise CaseDiscussionError("Pick a member of this group.", 404)
    found = db.session.scalar(
        select(CaseDiscussionFacilitator).where(
            CaseDiscussionFacilitator.group_id == group.id,
            CaseDiscussionFacilitator.person_id == member.person_id,
        )
    )
    if on and found is None:
        db.session.add(
            CaseDiscussionFacilitator(
                activity_id=activity.id, group_id=group.id, person_id=member.person_id
            )
        )
    elif not on and found is not None:
        db.session.delete(found)
    db.session.flush()
    log.info(
        "case discussion %s: %s %s facilitator of group %s",
        activity.public_id,
        member.person.public_id,
        "made" if on else "no longer",
        group.public_id,
    )
    return member.person
