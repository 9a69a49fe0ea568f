"""Where and when a role-play group meets, and the round clock they share.

* Meeting place: one per group, a link (http/https only) or free text ("Room 4B,
  Tuesdays"); any member of the group or staff may set it.
* Proposed times: members propose slots (stored in UTC, shown in each member's own
  time zone); members mark the ones that work for them.
* Shared round clock: a member starts it (the server records when, in product time,
  and for how long) or stops it; every member's page counts down from the same
  server record, so everyone sees the same clock.

Services flush and never commit; refusals raise ``RolePlayError`` with a message
for the page. Reads are here too (``logistics_of``, ``view_of``), for the panels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from lti_app import clock
from lti_app.courses.models import Person
from lti_app.db import new_public_id
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingGroup
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play.models import IN_PROGRESS, RolePlayLogistics, RolePlayRound
from lti_app.peer_activities.role_play.services import RolePlayError

PLACE_MAX = 500
#: Open (upcoming) proposals a group may have at once: enough to choose, not a calendar.
MAX_SLOTS = 8
#: How far ahead a time may be proposed.
SLOT_HORIZON = timedelta(days=365)
#: A proposed time stays listed this long after it started (the meeting may be on).
SLOT_GRACE = timedelta(hours=2)
#: Round clock lengths a member may start (minutes).
CLOCK_MINUTES = (1, 120)
_AT = "%Y-%m-%dT%H:%M"


def round_minutes(activity: Activity) -> int:
    """The round length the instructor set (minutes), 10 by default."""
    raw = (activity.settings or {}).get("round_minutes", 10)
    try:
        minutes = int(raw)
    except (TypeError, ValueError):
        minutes = 10
    low, high = CLOCK_MINUTES
    return max(low, min(high, minutes))


def iso_utc(at: datetime | None) -> str | None:
    """A naive UTC time as ISO 8601 with ``Z``, for pages' scripts and ``<time>``."""
    return None if at is None else at.replace(microsecond=0).isoformat() + "Z"


@dataclass
class SlotView:
    id: str
    starts_at: datetime
    proposer: str
    #: Names of members it works for.
    works_for: list[str]
    mine: bool
    works_for_me: bool


@dataclass
class GroupLogistics:
    place: str = ""
    is_link: bool = False
    slots: list[SlotView] = field(default_factory=list)

    @property
    def best(self) -> SlotView | None:
        """The proposed time that works for most members (earliest on a tie), once
        it works for at least two."""
        ranked = sorted(self.slots, key=lambda s: (-len(s.works_for), s.starts_at))
        return ranked[0] if ranked and len(ranked[0].works_for) >= 2 else None


def _upcoming(slots: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    kept = []
    for slot in slots or []:
        try:
            at = datetime.strptime(str(slot.get("at", "")), _AT)
        except ValueError:
            continue
        if at > now - SLOT_GRACE:
            kept.append(slot)
    return sorted(kept, key=lambda s: str(s["at"]))


def view_of(
    row: RolePlayLogistics | None, members: dict[int, str], viewer: Person | None, now: datetime
) -> GroupLogistics:
    """What the group's page shows: the place, and upcoming times with who they
    work for (``members``: person id → name of the group's members)."""
    if row is None:
        return GroupLogistics()
    me = viewer.id if viewer is not None else None
    slots = [
        SlotView(
            id=str(s["id"]),
            starts_at=datetime.strptime(str(s["at"]), _AT),
            proposer=members.get(s.get("by"), "A former member"),  # type: ignore[arg-type]
            works_for=[members[p] for p in s.get("works", []) if p in members],
            mine=s.get("by") == me,
            works_for_me=me in s.get("works", []),
        )
        for s in _upcoming(row.slots, now)
    ]
    return GroupLogistics(row.place, row.is_link, slots)


def logistics_of(activity: Activity, groups: list[GroupingGroup]) -> dict[int, RolePlayLogistics]:
    """Each group's logistics row (by group id), in one statement."""
    ids = [g.id for g in groups]
    if not ids:
        return {}
    return {
        row.group_id: row
        for row in db.session.scalars(
            select(RolePlayLogistics).where(
                RolePlayLogistics.activity_id == activity.id, RolePlayLogistics.group_id.in_(ids)
            )
        )
    }


def _row_for_update(activity: Activity, group: GroupingGroup) -> RolePlayLogistics:
    """The group's row, locked for this transaction (created when missing)."""
    row = db.session.scalar(
        select(RolePlayLogistics)
        .where(RolePlayLogistics.activity_id == activity.id, RolePlayLogistics.group_id == group.id)
        .with_for_update()
    )
    if row is None:
        row = RolePlayLogistics(activity_id=activity.id, group_id=group.id, place="", slots=[])
        db.session.add(row)
    return row


# -- meeting place ----------------------------------------------------------------------


def parse_place(raw: str) -> tuple[str, bool]:
    """``(place, is_link)`` from what was typed: trimmed text, or a checked link.
    Anything that looks like a link must be http(s) with a host (no ``javascript:``,
    ``data:``, or ``//host``) and nothing after it."""
    text = " ".join((raw or "").split())
    if len(text) > PLACE_MAX:
        raise RolePlayError(f"Keep the meeting place under {PLACE_MAX} characters.", 422)
    first = text.split(" ", 1)[0].lower()
    schemes = ("http:", "https:", "javascript:", "data:", "vbscript:", "file:", "www.", "//")
    if not text or not ("://" in first or first.startswith(schemes)):
        return text, False
    parts = urlsplit(text)
    if " " in text or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise RolePlayError(
            "A meeting link must start with https:// or http:// (for example "
            "https://meet.example.com/abc), with nothing after it; or describe the place "
            "in words.",
            422,
        )
    return text, True


def set_meeting_place(activity: Activity, group: GroupingGroup, person: Person, raw: str) -> None:
    """Set (or, with nothing typed, clear) the group's meeting place. Flushes."""
    place, is_link = parse_place(raw)
    row = _row_for_update(activity, group)
    row.place, row.is_link, row.place_set_by_id = place, is_link, person.id
    db.session.flush()


# -- proposed times ---------------------------------------------------------------------


def parse_local_time(raw: str, utc_offset_minutes: str) -> datetime:
    """A ``datetime-local`` value (``YYYY-MM-DDTHH:MM``) typed in a browser whose zone is
    ``utc_offset_minutes`` ahead of UTC, as naive UTC. Without an offset (no
    JavaScript), the time is taken as UTC, as the form then says."""
    try:
        local = datetime.strptime((raw or "").strip()[:16], _AT)
    except ValueError:
        raise RolePlayError(
            "Choose a date and a time, for example 2027-01-15 14:00.", 422
        ) from None
    try:
        offset = int(utc_offset_minutes or 0)
    except ValueError:
        offset = 0
    if not -14 * 60 <= offset <= 14 * 60:
        offset = 0
    return local - timedelta(minutes=offset)


def propose_slot(
    activity: Activity, group: GroupingGroup, person: Person, starts_at: datetime
) -> str:
    """Propose a time for the group; it works for the proposer. Returns its id. Flushes."""
    now = clock.now()
    starts_at = starts_at.replace(second=0, microsecond=0)
    if starts_at <= now:
        raise RolePlayError("Propose a time in the future.", 422)
    if starts_at > now + SLOT_HORIZON:
        raise RolePlayError("Propose a time within the next year.", 422)
    row = _row_for_update(activity, group)
    upcoming = _upcoming(row.slots, now)
    at = starts_at.strftime(_AT)
    if any(s["at"] == at for s in upcoming):
        raise RolePlayError("That time is already proposed: mark it as working for you.", 409)
    if len(upcoming) >= MAX_SLOTS:
        raise RolePlayError(
            f"Your group already has {MAX_SLOTS} proposed times: remove one you proposed first.",
            409,
        )
    slot_id = new_public_id()
    row.slots = [*upcoming, {"id": slot_id, "at": at, "by": person.id, "works": [person.id]}]
    db.session.flush()
    return slot_id


def _change_slot(activity: Activity, group: GroupingGroup, slot_id: str) -> Any:
    row = _row_for_update(activity, group)
    slots = [dict(s) for s in row.slots or []]
    found = next((s for s in slots if s.get("id") == slot_id), None)
    if found is None:
        raise RolePlayError("That proposed time is no longer there.", 404)
    return row, slots, found


def toggle_works_for(
    activity: Activity, group: GroupingGroup, person: Person, slot_id: str
) -> bool:
    """Mark (or unmark) a proposed time as working for ``person``; returns the new answer."""
    row, slots, slot = _change_slot(activity, group, slot_id)
    works = [p for p in slot.get("works", []) if p != person.id]
    now_works = len(works) == len(slot.get("works", []))
    slot["works"] = [*works, person.id] if now_works else works
    row.slots = slots
    db.session.flush()
    return now_works


def remove_slot(
    activity: Activity, group: GroupingGroup, person: Person, slot_id: str, *, staff: bool = False
) -> None:
    """The proposer (or staff) withdraws a proposed time."""
    row, slots, slot = _change_slot(activity, group, slot_id)
    if not staff and slot.get("by") != person.id:
        raise RolePlayError("Only the person who proposed a time can remove it.", 403)
    row.slots = [s for s in slots if s is not slot]
    db.session.flush()


# -- the shared round clock -------------------------------------------------------------


@dataclass(frozen=True)
class ClockState:
    running: bool
    #: When the countdown reaches zero (product time, naive UTC); None when stopped.
    ends_at: datetime | None
    seconds: int
    now: datetime

    @property
    def ends_at_iso(self) -> str | None:
        return iso_utc(self.ends_at)

    @property
    def left(self) -> int:
        """Seconds left (0 once time is up)."""
        if self.ends_at is None:
            return self.seconds
        return max(0, int((self.ends_at - self.now).total_seconds()))


def clock_state(rnd: RolePlayRound, minutes: int, now: datetime | None = None) -> ClockState:
    """The round clock as every member's page should show it at ``now``."""
    now = now or clock.now()
    if rnd.clock_started_at is None or rnd.status != IN_PROGRESS:
        return ClockState(False, None, minutes * 60, now)
    seconds = rnd.clock_seconds or minutes * 60
    return ClockState(True, rnd.clock_started_at + timedelta(seconds=seconds), seconds, now)


def start_clock(rnd: RolePlayRound, minutes: int) -> None:
    """Start (or restart) the round's shared clock for ``minutes``. Flushes."""
    if rnd.status != IN_PROGRESS:
        raise RolePlayError("Start the round first; the clock runs while it is in progress.")
    low, high = CLOCK_MINUTES
    rnd.clock_started_at = clock.now()
    rnd.clock_seconds = max(low, min(high, minutes)) * 60
    db.session.flush()


def stop_clock(rnd: RolePlayRound) -> None:
    """Stop the shared clock (it shows the full time again). Flushes."""
    rnd.clock_started_at = None
    rnd.clock_seconds = None
    db.session.flush()
