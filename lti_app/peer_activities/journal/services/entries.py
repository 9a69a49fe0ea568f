"""Writing journal entries: prompted responses (sanitised rich text), tags (an
activity of the course, skills), and sharing with the group.

Side effects: inserts/updates/deletes rows and flushes; the request commits.
Saving an entry may complete the journal (see ``completion``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Integer, Select, bindparam, func, select

from lti_app.courses.models import Course, Person
from lti_app.extensions import db
from lti_app.peer_activities.journal import clock, settings
from lti_app.peer_activities.journal.errors import JournalError
from lti_app.peer_activities.journal.models import JournalEntry
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.rich_text import plain, rich_text

log = logging.getLogger(__name__)

RESPONSE_LIMIT = 20000
MAX_SKILLS = 8
#: Entries one learner may keep in one journal (a guard, not a quota anyone meets).
MAX_ENTRIES = 500


@dataclass(frozen=True)
class EntryInput:
    #: Raw text per prompt, in prompt order.
    responses: list[str]
    #: Public id of an activity of the course, or "".
    linked_activity: str
    skills: list[str]
    shared_with_group: bool


def course_activities(course: Course) -> list[Activity]:
    """Activities of the course an entry may be tagged with (configured ones)."""
    return list(db.session.scalars(_course_activities(), {"course": course.id}))


@cache
def _course_activities() -> Select[Activity]:
    """The configured activities of ``:course`` by title: built once per process."""
    return (
        select(Activity)
        .where(
            Activity.course_id == bindparam("course", type_=Integer),
            Activity.activity_type.is_not(None),
        )
        .order_by(Activity.title, Activity.id)
    )


def entry_of(activity: Activity, person: Person, public_id: str) -> JournalEntry | None:
    """The author's own entry (scoped): anyone else's, or another activity's, is None."""
    found: JournalEntry | None = db.session.scalar(
        select(JournalEntry).where(
            JournalEntry.public_id == public_id,
            JournalEntry.activity_id == activity.id,
            JournalEntry.person_id == person.id,
        )
    )
    return found


def entry_count(activity: Activity, person_id: int) -> int:
    count: int = (
        db.session.scalar(
            select(func.count(JournalEntry.id)).where(
                JournalEntry.activity_id == activity.id, JournalEntry.person_id == person_id
            )
        )
        or 0
    )
    return count


def save_entry(
    activity: Activity,
    course: Course,
    person: Person,
    data: EntryInput,
    entry: JournalEntry | None = None,
) -> JournalEntry:
    """Create (or update the author's) entry. Each response is sanitised; an entry
    with nothing written is refused. The tag must name an activity of this course."""
    prompts = settings.prompts(activity)
    responses: list[dict[str, str]] = []
    for index, prompt in enumerate(prompts):
        raw = data.responses[index] if index < len(data.responses) else ""
        responses.append({"prompt": prompt, "html": rich_text(raw, limit=RESPONSE_LIMIT)})
    if not any(r["html"] for r in responses):
        raise JournalError("Write something for at least one prompt.", 422)
    linked_id = None
    if data.linked_activity:
        linked = next(
            (a for a in course_activities(course) if a.public_id == data.linked_activity), None
        )
        if linked is None:
            raise JournalError("Tag the entry with an activity of this course.", 422)
        linked_id = linked.id
    skills = [s for s in dict.fromkeys(" ".join(s.split())[:60] for s in data.skills) if s]
    if entry is None:
        if entry_count(activity, person.id) >= MAX_ENTRIES:
            raise JournalError(f"A journal keeps at most {MAX_ENTRIES} entries.", 422)
        entry = JournalEntry(activity_id=activity.id, person_id=person.id, created_at=clock.now())
        db.session.add(entry)
    entry.responses = responses
    entry.linked_activity_id = linked_id
    entry.skills = skills[:MAX_SKILLS]
    entry.shared_with_group = data.shared_with_group
    entry.plain_text = "\n".join([*(plain(r["html"]) for r in responses), *entry.skills])
    db.session.flush()
    log.info("journal %s: entry %s saved", activity.public_id, entry.public_id)
    return entry


def set_shared(entry: JournalEntry, shared: bool) -> None:
    entry.shared_with_group = shared
    db.session.flush()


def delete_entry(entry: JournalEntry) -> None:
    db.session.delete(entry)
    db.session.flush()
