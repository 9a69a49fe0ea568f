"""What the activity page shows about the journal, per audience (its launch
notices are in ``notices``).

Privacy by query: a learner's panel is built from their own rows and
``visibility.visible_entries``; the staff panel from the activity's rows. Nothing
is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g
from sqlalchemy import func, select

from lti_app.actor.session import Actor
from lti_app.courses.models import Enrolment, Person
from lti_app.domain.roles import LEARNER
from lti_app.extensions import db
from lti_app.peer_activities.journal import clock, completion, figures, settings, visibility
from lti_app.peer_activities.journal.figures import DayFigures, ObservationFigures
from lti_app.peer_activities.journal.models import (
    JournalActionItem,
    JournalCheckin,
    JournalEntry,
    JournalObservation,
    JournalProgress,
)
from lti_app.peer_activities.journal.services import (
    checkins,
    entries,
    observations,
    plans,
    schedule,
)
from lti_app.peer_activities.models import Activity

PRIVACY_NOTICE = (
    "Your entries are private to you and your instructors: instructors of "
    "this course can read every entry. Your group reads an entry only if you "
    "share it with them."
)
STATUS_LABELS = {"pending": "Scheduled", "answered": "Answered", "cancelled": "Cancelled"}


def enabled(activity: Activity) -> bool:
    return activity.activity_type == "journal"


def fmt_day(when: datetime | None) -> str:
    """A date as learners read it: 24 December 2026 (UTC)."""
    return f"{when:%-d %B %Y} (UTC)" if when is not None else ""


@dataclass
class CheckinView:
    checkin: JournalCheckin
    due: bool
    days_left: int

    @property
    def label(self) -> str:
        if self.checkin.status == "pending" and self.due:
            return "Due now"
        return STATUS_LABELS[self.checkin.status]


@dataclass
class LearnerPanel:
    notice: str
    prompts: list[str]
    own: list[JournalEntry]
    shared: list[JournalEntry]
    activities: list[Activity]
    titles: dict[int, str]
    items: list[JournalActionItem]
    observations: dict[int, list[JournalObservation]]
    observers: list[tuple[Person, str]]
    checkins: list[CheckinView]
    progress: JournalProgress | None
    entries_required: int
    closed: bool
    error: str = ""
    status_labels: dict[str, str] = field(default_factory=lambda: dict(plans.STATUS_LABELS))


def learner_panel(actor: Actor, activity: Activity) -> LearnerPanel:
    assert actor.course is not None
    person = actor.person
    visible = visibility.visible_entry_list(actor, activity, 500)
    own = [e for e in visible if e.person_id == person.id]
    shared = [e for e in visible if e.person_id != person.id]
    course_acts = entries.course_activities(actor.course)
    items = plans.items_with_updates(activity, person.id)
    now = clock.now()
    views = [
        CheckinView(c, schedule.is_due(c, now), (c.due_at.date() - now.date()).days)
        for c in schedule.checkins_of(activity, person.id)
        if c.status != "cancelled"
    ]
    flash = getattr(g, "journal_flash", None) or {}
    return LearnerPanel(
        notice=PRIVACY_NOTICE,
        prompts=settings.prompts(activity),
        own=own,
        shared=shared,
        activities=course_acts,
        titles={a.id: a.title or "Untitled activity" for a in course_acts},
        items=items,
        observations=observations.observations_of([i.id for i in items]),
        observers=observations.observers_for(actor.course, person),
        checkins=views,
        progress=completion.progress_of(activity, person.id),
        entries_required=settings.entries_required(activity),
        closed=schedule.is_closed(activity),
        error=str(flash.get("error", "")),
    )


@dataclass
class LearnerRow:
    person: Person
    status: str
    entries: int
    items: int
    completed_at: datetime | None
    #: day → label of that check-in ("—" if not scheduled).
    checkins: dict[int, str]


@dataclass
class StaffPanel:
    notice: str
    days: list[int]
    rows: list[LearnerRow]
    entries: list[JournalEntry]
    titles: dict[int, str]
    figures: list[DayFigures]
    observed: ObservationFigures
    settings: dict[str, Any]
    error: str = ""


def staff_panel(actor: Actor, activity: Activity) -> StaffPanel:
    assert actor.course is not None
    days = settings.checkin_days(activity)
    members = db.session.execute(
        select(Person, Enrolment.status, Enrolment.roles)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(Enrolment.course_id == actor.course.id)
        .order_by(Person.family_name, Person.name, Person.id)
    ).all()
    learners = [(p, status) for p, status, roles in members if LEARNER in (roles or [])]
    entry_counts = _counts(JournalEntry, activity)
    item_counts = _counts(JournalActionItem, activity)
    progress = {
        p.person_id: p
        for p in db.session.scalars(
            select(JournalProgress).where(JournalProgress.activity_id == activity.id)
        )
    }
    now = clock.now()
    by_person: dict[int, dict[int, str]] = {}
    for c in db.session.scalars(
        select(JournalCheckin).where(JournalCheckin.activity_id == activity.id)
    ):
        label = "Due" if schedule.is_due(c, now) else STATUS_LABELS[c.status]
        if c.status == "pending" and not schedule.is_due(c, now):
            label = f"Scheduled {c.due_at:%Y-%m-%d}"
        by_person.setdefault(c.person_id, {})[c.day] = label
    rows = [
        LearnerRow(
            p,
            status,
            entry_counts.get(p.id, 0),
            item_counts.get(p.id, 0),
            progress[p.id].completed_at if p.id in progress else None,
            {d: by_person.get(p.id, {}).get(d, "—") for d in days},
        )
        for p, status in learners
    ]
    recent = visibility.visible_entry_list(actor, activity, 200)
    acts = entries.course_activities(actor.course)
    flash = getattr(g, "journal_flash", None) or {}
    current = dict(activity.settings or {})
    current.setdefault("prompts", "")
    if not current["prompts"]:
        current["prompts"] = "\n".join(settings.prompts(activity))
    return StaffPanel(
        notice="Learners are told on their journal page that instructors can read every "
        "entry; only entries a learner shared are read by their group.",
        days=days,
        rows=rows,
        entries=recent,
        titles={a.id: a.title or "Untitled activity" for a in acts},
        figures=figures.transfer_figures(activity, now),
        observed=figures.observation_figures(activity),
        settings=current,
        error=str(flash.get("error", "")),
    )


def _counts(model: Any, activity: Activity) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(model.person_id, func.count(model.id))
            .where(model.activity_id == activity.id)
            .group_by(model.person_id)
        ).all()
    )


def checkin_form_context(activity: Activity, person: Person) -> dict[str, Any]:
    return {
        "items": plans.items_of(activity, person.id),
        "applied": checkins.APPLIED_LABELS,
        "barriers": checkins.BARRIERS,
        "share_with": checkins.SHARE_WITH,
        "confidence": checkins.CONFIDENCE,
    }
