"""The discussion of each group: threads, posts (with @mentions, an editing window
and "this helped" reactions), moderation (hide a post, lock a thread), and marking
a member's nudges seen. Who facilitates and the facilitator's nudges are in
``facilitation``; peer-coaching rounds are in ``coaching``.

Every function takes an ``Access`` already computed by ``lookups.access`` for the
group in question, and refuses with ``CaseDiscussionError`` (its ``status`` is
the HTTP answer) what that access does not allow.

Side effects: inserts/updates rows and flushes; a post may complete its author,
which queues their score in the grade outbox. The request commits.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Update, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from lti_app.courses.models import Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.peer_activities.case_discussion import completion
from lti_app.peer_activities.case_discussion.lookups import Access
from lti_app.peer_activities.case_discussion.models import (
    CHALLENGE,
    DONE,
    CaseDiscussionMention,
    CaseDiscussionNudge,
    CaseDiscussionPost,
    CaseDiscussionReaction,
    CaseDiscussionThread,
)
from lti_app.peer_activities.grouping.models import GroupingGroup
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.rich_text import plain, rich_text

log = logging.getLogger(__name__)

#: Authors may change their post for this long after writing it.
EDIT_WINDOW = timedelta(minutes=15)
#: The longest post (characters as typed), and the longest thread title.
POST_LIMIT = 20000
TITLE_LIMIT = 200


class CaseDiscussionError(ValueError):
    """An action that cannot be done; ``status`` is the HTTP answer (403, 404, 409, 422)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def require_read(acc: Access) -> None:
    if not acc.can_read:
        raise CaseDiscussionError("This discussion belongs to another group.", 404)


def require_moderator(acc: Access) -> None:
    require_read(acc)
    if not acc.can_moderate:
        raise CaseDiscussionError("Only the group's facilitator or staff can do that.", 403)


def clean_body(raw: str) -> str:
    """Sanitised post HTML; refuses empty and over-long text (nothing is cut)."""
    if len(raw or "") > POST_LIMIT:
        raise CaseDiscussionError(
            f"Your post is {len(raw):,} characters long; the limit is {POST_LIMIT:,}. "
            "Shorten it or split it into two posts. Your text is still in the box below.",
            422,
        )
    body = rich_text(raw, limit=POST_LIMIT)
    if not plain(body):
        raise CaseDiscussionError("Write something before posting.", 422)
    return body


def _bump(thread: CaseDiscussionThread, *, new_post_at: datetime | None = None) -> int:
    """The thread's next revision, taken atomically in the database (concurrent
    posts each get their own number, so pollers never miss one); a new post also
    counts itself and moves ``last_post_at``, in the same statement."""
    db.session.flush()
    stmt = _bumped(new_post_at is not None)
    row = db.session.execute(stmt, {"thread_id": thread.id, "at": new_post_at}).one()
    for key, value in row._mapping.items():  # what refresh() read, in the same statement
        set_committed_value(thread, key, value)
    return thread.revision


@cache
def _bumped(new_post: bool) -> Update:
    table = CaseDiscussionThread.__table__
    values: dict[str, object] = {"revision": table.c.revision + 1}
    if new_post:
        values.update(post_count=table.c.post_count + 1, last_post_at=bindparam("at"))
    returned = (table.c.revision, table.c.post_count, table.c.last_post_at)
    return (
        update(table)
        .where(table.c.id == bindparam("thread_id"))
        .values(values)
        .returning(*returned)
    )


# -- mentions -----------------------------------------------------------------------------


def mentioned(body: str, group: GroupingGroup, author: Person) -> list[Person]:
    """Members named in the text as ``@Full Name`` or ``@Given`` (case-insensitive)."""
    text = plain(body).lower()
    if "@" not in text:
        return []
    found = []
    for member in group.members:
        person = member.person
        if person.id == author.id:
            continue
        names = {person.display_name.lower()}
        if person.given_name:
            names.add(person.given_name.lower())
        if any(re.search("@" + re.escape(n) + r"(?![\w])", text) for n in names if n):
            found.append(person)
    return found


def _record_mentions(post: CaseDiscussionPost, group: GroupingGroup, author: Person) -> None:
    named = mentioned(post.body, group, author)
    if not named:
        return
    known = set(
        db.session.scalars(
            select(CaseDiscussionMention.person_id).where(CaseDiscussionMention.post_id == post.id)
        )
    )
    for person in named:
        if person.id not in known:
            db.session.add(CaseDiscussionMention(post_id=post.id, person_id=person.id))


def mentions_of(post_ids: list[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    if not post_ids:
        return result
    rows = db.session.execute(
        select(CaseDiscussionMention.post_id, CaseDiscussionMention.person_id).where(
            CaseDiscussionMention.post_id.in_(post_ids)
        )
    ).all()
    for post_id, person_id in rows:
        result.setdefault(post_id, []).append(person_id)
    return result


def mark_mentions_seen(thread: CaseDiscussionThread, person: Person) -> None:
    """Side effect: the person's mentions in the thread stop showing as a notice."""
    ids = select(CaseDiscussionPost.id).where(CaseDiscussionPost.thread_id == thread.id)
    db.session.execute(
        update(CaseDiscussionMention)
        .where(
            CaseDiscussionMention.person_id == person.id,
            CaseDiscussionMention.seen_at.is_(None),
            CaseDiscussionMention.post_id.in_(ids),
        )
        .values(seen_at=utcnow())
    )


# -- threads and posts --------------------------------------------------------------------


def start_thread(
    activity: Activity, acc: Access, author: Person, title: str, body: str
) -> CaseDiscussionThread:
    """A new thread in the group with its first post."""
    require_read(acc)
    title = " ".join((title or "").split())
    if not title:
        raise CaseDiscussionError("Give the thread a title.", 422)
    if len(title) > TITLE_LIMIT:
        raise CaseDiscussionError(f"Keep the title under {TITLE_LIMIT} characters.", 422)
    cleaned = clean_body(body)
    thread = CaseDiscussionThread(
        activity_id=activity.id, group_id=acc.group.id, title=title, author_id=author.id
    )
    db.session.add(thread)
    db.session.flush()
    _add_post(activity, acc, thread, author, cleaned)
    log.info("case discussion %s: thread %s started", activity.public_id, thread.public_id)
    return thread


def reply(
    activity: Activity, acc: Access, thread: CaseDiscussionThread, author: Person, body: str
) -> CaseDiscussionPost:
    """A post in an open thread of the group."""
    require_read(acc)
    if thread.group_id != acc.group.id:
        raise CaseDiscussionError("This discussion belongs to another group.", 404)
    if thread.locked:
        raise CaseDiscussionError("This thread is locked: no new posts.", 409)
    cleaned = clean_body(body)
    rnd = thread.round
    if (
        rnd is not None
        and rnd.stage == CHALLENGE
        and author.id != rnd.presenter_id
        and not acc.can_moderate
    ):
        raise CaseDiscussionError(
            f"{rnd.presenter.display_name} states their challenge first; questions "
            "open once they move the round on.",
            409,
        )
    return _add_post(activity, acc, thread, author, cleaned)


def _add_post(
    activity: Activity, acc: Access, thread: CaseDiscussionThread, author: Person, cleaned: str
) -> CaseDiscussionPost:
    rnd = thread.round
    stage = rnd.stage if rnd is not None and rnd.stage != DONE else None
    now = utcnow()
    revision = _bump(thread, new_post_at=now)
    post = CaseDiscussionPost(
        thread_id=thread.id,
        activity_id=activity.id,
        group_id=thread.group_id,
        author_id=author.id,
        body=cleaned,
        stage=stage,
        revision=revision,
        created_at=now,
        updated_at=now,
    )
    db.session.add(post)
    db.session.flush()
    _record_mentions(post, acc.group, author)
    db.session.flush()
    if acc.member:
        mark_nudges_seen(activity, author)
        completion.check_completion(activity, author)
    return post


def can_edit(post: CaseDiscussionPost, person: Person, now: datetime | None = None) -> bool:
    """Authors may edit their post for ``EDIT_WINDOW`` after writing it, unless it
    was hidden."""
    return (
        post.author_id == person.id
        and not post.hidden
        and (now or utcnow()) - post.created_at <= EDIT_WINDOW
    )


def edit_post(
    activity: Activity, acc: Access, post: CaseDiscussionPost, person: Person, body: str
) -> None:
    """The author changes their post within the editing window."""
    require_read(acc)
    if post.author_id != person.id:
        raise CaseDiscussionError("You can only edit your own posts.", 403)
    thread = db.session.get(CaseDiscussionThread, post.thread_id)
    if thread is not None and thread.locked:
        raise CaseDiscussionError("This thread is locked: posts can no longer change.", 409)
    if not can_edit(post, person):
        minutes = int(EDIT_WINDOW.total_seconds() // 60)
        raise CaseDiscussionError(
            f"Posts can be edited for {minutes} minutes after writing "
            "them; write a new post instead.",
            409,
        )
    post.body = clean_body(body)
    post.edited_at = utcnow()
    if thread is not None:
        post.revision = _bump(thread)
    db.session.flush()
    _record_mentions(post, acc.group, person)


def toggle_helped(acc: Access, post: CaseDiscussionPost, person: Person) -> bool:
    """Mark (or unmark) "this helped" on someone else's post; True when now marked."""
    require_read(acc)
    if post.author_id == person.id:
        raise CaseDiscussionError("Mark other people's posts as helpful, not your own.", 409)
    if post.hidden:
        raise CaseDiscussionError("This post was hidden by a moderator.", 409)
    found = db.session.scalar(
        select(CaseDiscussionReaction).where(
            CaseDiscussionReaction.post_id == post.id, CaseDiscussionReaction.person_id == person.id
        )
    )
    marked = found is None
    if found is not None:
        db.session.delete(found)
    else:
        try:
            with db.session.begin_nested():
                db.session.add(CaseDiscussionReaction(post_id=post.id, person_id=person.id))
                db.session.flush()
        except IntegrityError:
            return True  # marked concurrently (a double click)
    db.session.flush()
    db.session.execute(
        update(CaseDiscussionPost)
        .where(CaseDiscussionPost.id == post.id)
        .values(
            helped_count=select(func.count(CaseDiscussionReaction.id))
            .where(CaseDiscussionReaction.post_id == post.id)
            .scalar_subquery()
        )
    )
    thread = db.session.get(CaseDiscussionThread, post.thread_id)
    if thread is not None:
        post.revision = _bump(thread)
    db.session.flush()
    db.session.refresh(post)
    return marked


def helped_by(person: Person, post_ids: list[int]) -> set[int]:
    if not post_ids:
        return set()
    return set(
        db.session.scalars(
            select(CaseDiscussionReaction.post_id).where(
                CaseDiscussionReaction.person_id == person.id,
                CaseDiscussionReaction.post_id.in_(post_ids),
            )
        )
    )


# -- moderation ---------------------------------------------------------------------------


def set_hidden(acc: Access, post: CaseDiscussionPost, moderator: Person, hidden: bool) -> None:
    """Hide a post from the group (or show it again); staff and the facilitator
    still read it."""
    require_moderator(acc)
    post.hidden = hidden
    post.hidden_by_id = moderator.id if hidden else None
    thread = db.session.get(CaseDiscussionThread, post.thread_id)
    if thread is not None:
        post.revision = _bump(thread)
    db.session.flush()
    log.info(
        "case discussion post %s %s by %s",
        post.public_id,
        "hidden" if hidden else "shown",
        moderator.public_id,
    )


def set_locked(acc: Access, thread: CaseDiscussionThread, moderator: Person, locked: bool) -> None:
    """Lock a thread (no new posts, no edits) or open it again."""
    require_moderator(acc)
    thread.locked = locked
    _bump(thread)
    db.session.flush()
    log.info(
        "case discussion thread %s %s by %s",
        thread.public_id,
        "locked" if locked else "unlocked",
        moderator.public_id,
    )


# -- nudges seen (a member who posts has heard them) ---------------------------------------


def mark_nudges_seen(activity: Activity, person: Person) -> None:
    """Side effect: the person's nudges for the activity stop showing at launch."""
    db.session.execute(
        _nudges_seen(), {"b_activity": activity.id, "b_person": person.id, "b_now": utcnow()}
    )


@cache
def _nudges_seen() -> Update:
    """Built once: every reply and thread page runs it (on the table, so the
    session does not try to evaluate its bound parameters on loaded rows)."""
    nudge = CaseDiscussionNudge.__table__.c
    return (
        update(CaseDiscussionNudge.__table__)
        .where(
            nudge.activity_id == bindparam("b_activity"),
            nudge.person_id == bindparam("b_person"),
            nudge.seen_at.is_(None),
        )
        .values(seen_at=bindparam("b_now"))
    )
