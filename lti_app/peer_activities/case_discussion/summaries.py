"""The structured summary of a group's discussion — context, ideas, strategies,
resources — which the facilitator writes, fills by capturing posts ("capture
insight"), orders by sense (not by time) and publishes to the whole group; and
the course's insights library of every published summary.

Side effects: inserts/updates/deletes summary rows and flushes; publishing queues
an e-mail to every member (only when SMTP is configured; sent after commit) and
makes the launch notice appear; reading records a read, which may complete the
reader (a score queued in the grade outbox). The request commits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from lti_app import mail
from lti_app.courses.anonymity import redactor_for
from lti_app.courses.models import Course, Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.peer_activities.case_discussion import completion
from lti_app.peer_activities.case_discussion.lookups import Access
from lti_app.peer_activities.case_discussion.models import (
    PUBLISHED,
    SECTIONS,
    CaseDiscussionPost,
    CaseDiscussionSummary,
    CaseDiscussionSummaryItem,
    CaseDiscussionSummaryRead,
)
from lti_app.peer_activities.case_discussion.services import CaseDiscussionError, clean_body
from lti_app.peer_activities.grouping.models import GroupingGroup
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.rich_text import plain

log = logging.getLogger(__name__)

SECTION_LABELS = {
    "context": "Context",
    "ideas": "Ideas",
    "strategies": "Strategies",
    "resources": "Resources",
}
SECTION_HINTS = {
    "context": "The situation and what made it hard.",
    "ideas": "What the group came up with.",
    "strategies": "What people will try, and how.",
    "resources": "Readings, tools, people and links worth keeping.",
}
#: Items per section, at most.
MAX_ITEMS = 40


def _require_editor(acc: Access) -> None:
    if not acc.can_read:
        raise CaseDiscussionError("This discussion belongs to another group.", 404)
    if not acc.can_moderate:
        raise CaseDiscussionError("Only the group's facilitator or staff edit the summary.", 403)


def _section(section: str) -> str:
    if section not in SECTIONS:
        raise CaseDiscussionError("Pick a section: context, ideas, strategies or resources.", 422)
    return section


def ensure_summary(activity: Activity, group: GroupingGroup) -> CaseDiscussionSummary:
    """The group's summary (a draft made on first use)."""
    found: CaseDiscussionSummary | None = db.session.scalar(
        select(CaseDiscussionSummary).where(CaseDiscussionSummary.group_id == group.id)
    )
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = CaseDiscussionSummary(activity_id=activity.id, group_id=group.id)
            db.session.add(found)
            db.session.flush()
    except IntegrityError:
        found = db.session.scalar(
            select(CaseDiscussionSummary).where(CaseDiscussionSummary.group_id == group.id)
        )
    assert found is not None
    return found


def _next_position(summary: CaseDiscussionSummary, section: str) -> int:
    if sum(1 for i in summary.items if i.section == section) >= MAX_ITEMS:
        raise CaseDiscussionError(f"A section holds at most {MAX_ITEMS} entries.", 409)
    return max((i.position for i in summary.items if i.section == section), default=0) + 1


def add_item(
    activity: Activity,
    acc: Access,
    section: str,
    body: str,
    source: CaseDiscussionPost | None = None,
) -> CaseDiscussionSummaryItem:
    """A new entry at the end of a section."""
    _require_editor(acc)
    section = _section(section)
    summary = ensure_summary(activity, acc.group)
    item = CaseDiscussionSummaryItem(
        summary=summary,
        section=section,
        position=_next_position(summary, section),
        body=clean_body(body),
        source_post_id=source.id if source else None,
    )
    db.session.add(item)
    summary.updated_at = utcnow()
    db.session.flush()
    return item


def capture_post(
    activity: Activity, acc: Access, post: CaseDiscussionPost, section: str
) -> CaseDiscussionSummaryItem:
    """ "Capture insight": pin a post of the group into a section (its text is
    copied, without the author's name, so the facilitator can reword it)."""
    _require_editor(acc)
    if post.group_id != acc.group.id:
        raise CaseDiscussionError("This post belongs to another group.", 404)
    return add_item(activity, acc, section, post.body, source=post)


def edit_item(
    acc: Access, item: CaseDiscussionSummaryItem, body: str, section: str | None = None
) -> None:
    _require_editor(acc)
    if item.summary.group_id != acc.group.id:
        raise CaseDiscussionError("This summary belongs to another group.", 404)
    item.body = clean_body(body)
    if section and section != item.section:
        item.position = _next_position(item.summary, _section(section))
        item.section = section
    item.summary.updated_at = utcnow()
    db.session.flush()


def delete_item(acc: Access, item: CaseDiscussionSummaryItem) -> None:
    _require_editor(acc)
    if item.summary.group_id != acc.group.id:
        raise CaseDiscussionError("This summary belongs to another group.", 404)
    summary = item.summary
    summary.items.remove(item)
    db.session.delete(item)
    _renumber(summary, item.section)
    db.session.flush()


def move_item(acc: Access, item: CaseDiscussionSummaryItem, direction: str) -> None:
    """Move an entry up or down within its section (ordered by sense, not time)."""
    _require_editor(acc)
    if item.summary.group_id != acc.group.id:
        raise CaseDiscussionError("This summary belongs to another group.", 404)
    if direction not in ("up", "down"):
        raise CaseDiscussionError("Move an entry up or down.", 422)
    siblings = items_in(item.summary, item.section)
    index = next(i for i, s in enumerate(siblings) if s.id == item.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, entry in enumerate(siblings, start=1):
            entry.position = position
    db.session.flush()


def _renumber(summary: CaseDiscussionSummary, section: str) -> None:
    for position, entry in enumerate(items_in(summary, section), start=1):
        entry.position = position


def items_in(summary: CaseDiscussionSummary, section: str) -> list[CaseDiscussionSummaryItem]:
    return sorted(
        (i for i in summary.items if i.section == section), key=lambda i: (i.position, i.id)
    )


def sections_of(
    summary: CaseDiscussionSummary | None,
) -> list[tuple[str, str, list[CaseDiscussionSummaryItem]]]:
    """(key, label, entries in the facilitator's order) for the four sections."""
    return [
        (key, SECTION_LABELS[key], items_in(summary, key) if summary else []) for key in SECTIONS
    ]


def publish(activity: Activity, acc: Access, publisher: Person, link: str) -> list[Person]:
    """Publish (or republish after edits) the summary to the whole group: a notice
    at everyone's next launch — first for those who missed the discussion — and an
    e-mail when mail is configured. Returns the members notified."""
    _require_editor(acc)
    summary = ensure_summary(activity, acc.group)
    if not summary.items:
        raise CaseDiscussionError("Add at least one entry before publishing.", 409)
    first = summary.status != PUBLISHED
    summary.status = PUBLISHED
    summary.published_at = utcnow()
    summary.published_by_id = publisher.id
    db.session.flush()
    members = [m.person for m in acc.group.members]
    for person in members:
        mail.queue(
            to=person.email,
            subject=f"Your group's summary: {activity.title or 'case discussion'}",
            body=(
                "The summary of your group's discussion has been published "
                f"(context, ideas, strategies, resources).\n\nRead it: {link}\n"
            ),
            dedupe_key=f"cd-summary:{summary.public_id}:{person.public_id}",
        )
    log.info(
        "case discussion %s: summary of group %s %s",
        activity.public_id,
        acc.group.public_id,
        "published" if first else "republished",
    )
    return members


def mark_read(activity: Activity, summary: CaseDiscussionSummary, person: Person) -> None:
    """Record that a member read the published summary (once), and check their
    completion."""
    if summary.status != PUBLISHED:
        return
    seen = db.session.scalar(
        select(CaseDiscussionSummaryRead.id).where(
            CaseDiscussionSummaryRead.summary_id == summary.id,
            CaseDiscussionSummaryRead.person_id == person.id,
        )
    )
    if seen is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    CaseDiscussionSummaryRead(summary_id=summary.id, person_id=person.id)
                )
                db.session.flush()
        except IntegrityError:
            return
    completion.check_completion(activity, person)


def readers_of(summary: CaseDiscussionSummary) -> set[int]:
    return set(
        db.session.scalars(
            select(CaseDiscussionSummaryRead.person_id).where(
                CaseDiscussionSummaryRead.summary_id == summary.id
            )
        )
    )


# -- the insights library -----------------------------------------------------------------


@dataclass(frozen=True)
class LibraryItem:
    """An entry as the library shows it: its text without anyone's name."""

    public_id: str
    section: str
    body: str


@dataclass
class LibraryEntry:
    activity: Activity
    group: GroupingGroup
    summary: CaseDiscussionSummary
    sections: list[tuple[str, str, list[LibraryItem]]] = field(default_factory=list)

    def text(self) -> str:
        return " ".join(plain(i.body) for _, _, items in self.sections for i in items)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _anonymous(
    summary: CaseDiscussionSummary, course: Course
) -> list[tuple[str, str, list[LibraryItem]]]:
    """The summary's sections with every course member's name and @mention
    replaced (the library promises not to name who said what; the stored
    entries, and the group's own summary page, keep the text as written)."""
    redactor = redactor_for(course.id)
    return [
        (key, label, [LibraryItem(i.public_id, i.section, redactor.html(i.body)) for i in items])
        for key, label, items in sections_of(summary)
    ]


def library(course: Course, query: str = "", *, limit: int = 100) -> list[LibraryEntry]:
    """Every published summary of the course's case discussions, newest first;
    with ``query``, those whose activity title or an entry contains it (a case-
    insensitive LIKE, then checked again on the text as shown, so searching for a
    name finds nothing). Entries never name who wrote what."""
    query = " ".join((query or "").split())[:100]
    stmt = (
        select(CaseDiscussionSummary, Activity, GroupingGroup)
        .join(Activity, Activity.id == CaseDiscussionSummary.activity_id)
        .join(GroupingGroup, GroupingGroup.id == CaseDiscussionSummary.group_id)
        .where(Activity.course_id == course.id, CaseDiscussionSummary.status == PUBLISHED)
        .order_by(CaseDiscussionSummary.published_at.desc(), CaseDiscussionSummary.id.desc())
        .limit(limit)
    )
    if query:
        pattern = _like(query)
        matching = select(CaseDiscussionSummaryItem.summary_id).where(
            func.lower(CaseDiscussionSummaryItem.body).like(pattern, escape="\\")
        )
        stmt = stmt.where(
            or_(
                func.lower(Activity.title).like(pattern, escape="\\"),
                CaseDiscussionSummary.id.in_(matching),
            )
        )
    rows = db.session.execute(stmt).all()
    entries = [
        LibraryEntry(activity, group, summary, _anonymous(summary, course))
        for summary, activity, group in rows
    ]
    if query:
        wanted = query.lower()
        entries = [
            e
            for e in entries
            if wanted in (e.activity.title or "").lower() or wanted in e.text().lower()
        ]
    return entries


def resources_of(entries: Sequence[LibraryEntry]) -> list[tuple[LibraryEntry, LibraryItem]]:
    """Every "resources" entry of the listed summaries, for the library's list."""
    return [
        (entry, item)
        for entry in entries
        for key, _, items in entry.sections
        if key == "resources"
        for item in items
    ]
