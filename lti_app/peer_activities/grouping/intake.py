"""The intake survey: the instructor's challenge list and questions, and each
learner's answers (one per person per course, editable later).

Side effects: inserts/updates rows and flushes; the request commits.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lti_app.courses.models import Course, Person
from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.peer_activities.grouping.models import GroupingIntake, GroupingSurvey
from lti_app.peer_activities.grouping.people import roster

log = logging.getLogger(__name__)

#: Workplace-training challenges learners pick from until the instructor edits the list.
DEFAULT_CHALLENGES: tuple[str, ...] = (
    "Giving difficult feedback",
    "Budget cuts",
    "Leading through change",
    "Managing conflict in the team",
    "Motivating a team",
    "Delegating",
    "Managing underperformance",
    "Prioritising with too little time",
    "Working across silos",
    "Managing remote or hybrid teams",
    "Stakeholder management",
    "Developing people",
)


class IntakeInputError(ValueError):
    def __init__(self, messages: dict[str, Any]):
        super().__init__("invalid intake answers")
        self.messages = messages


@dataclass(frozen=True)
class Survey:
    challenges: tuple[str, ...]
    questions: tuple[dict[str, Any], ...]
    customised: bool


def survey_for(course: Course) -> Survey:
    """The course's survey, or the default one when the instructor never edited it."""
    row = db.session.scalar(select(GroupingSurvey).where(GroupingSurvey.course_id == course.id))
    if row is None:
        return Survey(DEFAULT_CHALLENGES, (), False)
    return Survey(tuple(row.challenges), tuple(row.questions), True)


def save_survey(
    course: Course, *, challenges: list[str], questions: list[dict[str, Any]]
) -> GroupingSurvey:
    """Replace the course's challenge list and extra questions. Answers already given
    stay as they were (a challenge removed from the list still counts for matching)."""
    row = db.session.scalar(select(GroupingSurvey).where(GroupingSurvey.course_id == course.id))
    if row is None:
        row = GroupingSurvey(course_id=course.id)
        db.session.add(row)
    row.challenges = list(challenges)
    row.questions = list(questions)
    db.session.flush()
    log.info(
        "survey of course %s saved: %d challenges, %d questions",
        course.public_id,
        len(challenges),
        len(questions),
    )
    return row


def intake_of(course: Course, person: Person) -> GroupingIntake | None:
    found: GroupingIntake | None = db.session.scalar(
        select(GroupingIntake).where(
            GroupingIntake.course_id == course.id, GroupingIntake.person_id == person.id
        )
    )
    return found


def save_intake(course: Course, person: Person, data: Mapping[str, Any]) -> GroupingIntake:
    """Create or update a person's intake answers (already validated by the schema);
    the roster pick is checked here: it must be someone else in this course."""
    manager: Person | None = None
    if data.get("reports_to"):
        entry = next((r for r in roster(course) if r.person.public_id == data["reports_to"]), None)
        if entry is None or entry.person.id == person.id:
            raise IntakeInputError({"reports_to": ["Choose someone from the list."]})
        manager = entry.person
    row = intake_of(course, person)
    if row is None:
        row = GroupingIntake(course_id=course.id, person_id=person.id)
        db.session.add(row)
    row.role_title = data["role_title"]
    row.level = data["level"]
    row.years = round(float(data["years"]), 1)
    row.function = data["function"]
    row.organisation = data["organisation"]
    row.reports_to_id = manager.id if manager else None
    row.reports_to_text = "" if manager else data.get("reports_to_text", "")
    row.challenges = list(data.get("challenges", []))
    row.challenge_other = data.get("challenge_other", "")
    row.answers = dict(data.get("answers", {}))
    row.completed_at = row.completed_at or utcnow()
    db.session.flush()
    log.info("intake saved course=%s person=%s", course.public_id, person.public_id)
    return row


def intake_form_values(row: GroupingIntake | None) -> dict[str, Any]:
    """A saved intake as the form's field values (for editing later)."""
    if row is None:
        return {"challenges": []}
    values: dict[str, Any] = {
        "role_title": row.role_title,
        "level": str(row.level or ""),
        "years": "" if row.years is None else f"{row.years:g}",
        "function": row.function,
        "organisation": row.organisation,
        "reports_to": row.reports_to.public_id if row.reports_to else "",
        "reports_to_text": row.reports_to_text,
        "challenges": list(row.challenges),
        "challenge_other": row.challenge_other,
    }
    values.update({"answer." + k: v for k, v in (row.answers or {}).items()})
    return values
