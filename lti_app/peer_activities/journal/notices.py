"""The journal's launch notices (see ``peer_activities.notices``): a learner's
due check-ins, and a mentor's (or manager's) open requests to confirm an observed
application. Two SELECTs of the page's one notices statement, each limited to the
actor's own rows by an index (check-ins by person, observations by observer)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from typing import cast as typed

from flask import url_for
from sqlalchemy import String, bindparam, cast, select

from lti_app.courses.models import Person
from lti_app.peer_activities import notices
from lti_app.peer_activities.journal import clock
from lti_app.peer_activities.journal.models import (
    PENDING,
    REQUESTED,
    JournalActionItem,
    JournalCheckin,
    JournalObservation,
)
from lti_app.peer_activities.journal.services import schedule
from lti_app.peer_activities.models import Activity

CHECKINS = "journal.checkins"
OBSERVATIONS = "journal.observations"


def _checkins_query() -> list[Any]:
    return [
        select(
            *notices.columns(
                CHECKINS,
                texts=(
                    JournalCheckin.public_id,
                    Activity.public_id,
                    Activity.title,
                    cast(Activity.settings, String),
                    cast(JournalCheckin.due_at, String),
                ),
                numbers=(JournalCheckin.day,),
            )
        )
        .select_from(JournalCheckin)
        .join(Activity, Activity.id == JournalCheckin.activity_id)
        .where(
            JournalCheckin.person_id == bindparam("person"),
            JournalCheckin.status == PENDING,
            JournalCheckin.due_at <= bindparam("journal_now"),
            Activity.course_id == bindparam("course"),
        )
    ]


def _still_open(settings_json: str | None) -> bool:
    """The journal's follow-up has not concluded (``schedule.is_closed`` on the row)."""
    probe = SimpleNamespace(settings=notices.json_settings(settings_json))
    return not schedule.is_closed(typed(Activity, probe))


def _checkins_build(actor: Any, rows: list[Any]) -> list[notices.Notice]:
    token = actor.token()
    found = []
    for row in sorted(rows, key=lambda r: (r.s5 or "", r.n1 or 0)):
        if not _still_open(row.s4):
            continue
        found.append(
            notices.Notice(
                kind="checkin",
                priority=20,
                title=f"Your {row.n1}-day check-in is due",
                body=f"{row.s3 or 'Reflection journal'}: what have you applied at work "
                "since the course? About five minutes.",
                url=url_for("journal.checkin", activity_id=row.s2, checkin_id=row.s1, t=token),
                action="Answer the check-in",
            )
        )
    return found


#: A learner's due check-ins.
CHECKINS_SOURCE = notices.Source(
    CHECKINS,
    applies=lambda actor: actor.roles.is_learner,
    queries=_checkins_query,
    build=_checkins_build,
    params=lambda actor: {"journal_now": clock.now()},
)


def _observations_query() -> list[Any]:
    return [
        select(
            *notices.columns(
                OBSERVATIONS,
                texts=(
                    Activity.public_id,
                    Person.name,
                    Person.given_name,
                    Person.family_name,
                    Person.public_id,
                ),
                numbers=(JournalObservation.id,),
            )
        )
        .select_from(JournalObservation)
        .join(JournalActionItem, JournalActionItem.id == JournalObservation.item_id)
        .join(Activity, Activity.id == JournalActionItem.activity_id)
        .join(Person, Person.id == JournalActionItem.person_id)
        .where(
            JournalObservation.observer_id == bindparam("person"),
            JournalObservation.status == REQUESTED,
            Activity.course_id == bindparam("course"),
        )
    ]


def _name(row: Any) -> str:
    """``Person.display_name`` from the row's name columns."""
    if row.s2:
        return str(row.s2)
    full = " ".join(p for p in (row.s3, row.s4) if p)
    return full or f"Participant {(row.s5 or '')[:6]}"


def _observations_build(actor: Any, rows: list[Any]) -> list[notices.Notice]:
    if not rows:
        return []
    newest = max(rows, key=lambda r: r.n1)
    names = sorted({_name(r) for r in rows})
    return [
        notices.Notice(
            kind="nudge",
            priority=30,
            title=f"{', '.join(names)} asked you to confirm an observed application",
            body="Confirm or decline what you saw them apply at work.",
            url=url_for("journal.observations_page", activity_id=newest.s1, t=actor.token()),
            action="Review the request",
        )
    ]


#: Open requests to confirm an observed application, for whoever was asked.
OBSERVATIONS_SOURCE = notices.Source(
    OBSERVATIONS, applies=lambda actor: True, queries=_observations_query, build=_observations_build
)
#: What the activity registers (see activity.py).
SOURCES = (CHECKINS_SOURCE, OBSERVATIONS_SOURCE)
