"""The rubric library.

Staff save an activity's rubric under a name and apply a saved rubric
(or one of the built-in starters) to any peer review of the same platform
deployment. Library rows carry their registration and deployment and are only
ever looked up through them, so another platform's rubric is simply not found.

Side effects: the library functions insert/update/delete rows and flush; the
request commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lti_app.courses.models import Person
from lti_app.extensions import db
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.peer_review.levels import level_problem
from lti_app.peer_activities.peer_review.models import PeerReviewLibraryRubric
from lti_app.peer_activities.peer_review.submissions import (
    CriterionInput,
    PeerReviewError,
    criteria,
    save_rubric,
)

log = logging.getLogger(__name__)

# -- the library -------------------------------------------------------------------------

#: Built-in rubrics every deployment can apply (id, name, criteria as
#: (name, max points, levels, comment required)).
STARTERS: tuple[tuple[str, str, tuple[tuple[str, int, str, bool], ...]], ...] = (
    (
        "starter-case-analysis",
        "Written case analysis",
        (
            (
                "Problem diagnosis",
                4,
                "0 | Problem not identified\n1 | Symptoms only\n"
                "2 | Main problem named\n3 | Problem and causes explained\n"
                "4 | Root causes explained with evidence from the case",
                True,
            ),
            (
                "Use of evidence",
                4,
                "0 | None\n1 | Anecdote\n2 | Some facts from the case\n"
                "3 | Relevant facts, well chosen\n4 | Facts and figures, weighed critically",
                False,
            ),
            (
                "Options and recommendation",
                4,
                "0 | No recommendation\n1 | One option, unjustified\n"
                "2 | Options listed\n3 | Options compared, one recommended\n"
                "4 | Options compared, recommendation with risks and trade-offs",
                True,
            ),
            ("Clarity", 4, "0 | Hard to follow\n2 | Mostly clear\n4 | Clear and concise", False),
        ),
    ),
    (
        "starter-presentation",
        "Presentation",
        (
            (
                "Structure",
                4,
                "0 | No visible structure\n1 | Loose\n2 | Beginning, middle and end\n"
                "3 | Logical flow\n4 | Compelling flow with clear signposting",
                False,
            ),
            (
                "Content",
                4,
                "0 | Missing or wrong\n1 | Thin\n2 | Adequate\n3 | Good\n"
                "4 | Insightful and accurate",
                True,
            ),
            (
                "Delivery",
                4,
                "0 | Read out, no contact\n1 | Hesitant\n2 | Steady\n3 | Engaging\n"
                "4 | Confident, engaging, well timed",
                False,
            ),
            (
                "Visual aids",
                4,
                "0 | None or distracting\n2 | Support the talk\n"
                "4 | Clear, purposeful, add to the message",
                False,
            ),
        ),
    ),
    (
        "starter-action-plan",
        "Action plan",
        (
            (
                "Goal",
                4,
                "0 | No goal\n1 | Vague\n2 | Stated\n3 | Specific and measurable\n"
                "4 | Specific, measurable and tied to a real need",
                True,
            ),
            (
                "Actions and milestones",
                4,
                "0 | None\n1 | A few ideas\n2 | Actions listed\n"
                "3 | Actions with dates\n4 | Actions with dates, owners and milestones",
                False,
            ),
            (
                "Resources and obstacles",
                4,
                "0 | Not considered\n2 | Named\n4 | Named, with a plan for each",
                False,
            ),
            (
                "Measures of success",
                4,
                "0 | None\n2 | Stated\n4 | Measurable, with a review date",
                True,
            ),
        ),
    ),
)


@dataclass(frozen=True)
class LibraryEntry:
    """A rubric the instructor can apply: a saved one or a built-in starter."""

    public_id: str
    name: str
    criteria: tuple[CriterionInput, ...]
    starter: bool

    @property
    def summary(self) -> str:
        return ", ".join(f"{c.name} (0–{c.max_points})" for c in self.criteria)


def _starter_entries() -> list[LibraryEntry]:
    return [
        LibraryEntry(
            pid, name, tuple(CriterionInput(n, p, lv, req) for n, p, lv, req in items), True
        )
        for pid, name, items in STARTERS
    ]


def _entry(row: PeerReviewLibraryRubric) -> LibraryEntry:
    items = tuple(
        CriterionInput(
            str(c.get("name", ""))[:120],
            int(c.get("max_points", 4)),
            str(c.get("levels", "")),
            bool(c.get("comment_required")),
        )
        for c in row.criteria
    )
    return LibraryEntry(row.public_id, row.name, items, False)


def _rows(activity: Activity) -> list[PeerReviewLibraryRubric]:
    return list(
        db.session.scalars(
            select(PeerReviewLibraryRubric)
            .where(
                PeerReviewLibraryRubric.registration_id == activity.registration_id,
                PeerReviewLibraryRubric.deployment_id == activity.deployment_id,
            )
            .order_by(PeerReviewLibraryRubric.name)
        )
    )


def library(activity: Activity) -> list[LibraryEntry]:
    """The rubrics this activity's deployment can apply: its saved ones by name,
    then the starters."""
    return [_entry(r) for r in _rows(activity)] + _starter_entries()


def library_entry(activity: Activity, public_id: str) -> LibraryEntry | None:
    """A saved rubric of the activity's own registration and deployment, or a
    starter, by id; anything else (another platform's rubric) is None."""
    for entry in _starter_entries():
        if entry.public_id == public_id:
            return entry
    row = _row(activity, public_id)
    return None if row is None else _entry(row)


def _row(activity: Activity, public_id: str) -> PeerReviewLibraryRubric | None:
    found: PeerReviewLibraryRubric | None = db.session.scalar(
        select(PeerReviewLibraryRubric).where(
            PeerReviewLibraryRubric.public_id == public_id,
            PeerReviewLibraryRubric.registration_id == activity.registration_id,
            PeerReviewLibraryRubric.deployment_id == activity.deployment_id,
        )
    )
    return found


def save_to_library(activity: Activity, name: str, by: Person) -> PeerReviewLibraryRubric:
    """Keep the activity's current rubric in the deployment's library under
    ``name`` (replacing a saved rubric of that name)."""
    name = " ".join(name.split())[:120]
    if not name:
        raise PeerReviewError("Give the rubric a name for the library.")
    if any(name.casefold() == starter.casefold() for _, starter, _ in STARTERS):
        raise PeerReviewError(f"“{name}” is a built-in rubric; choose another name.")
    items: list[dict[str, Any]] = [
        {
            "name": c.name,
            "max_points": c.max_points,
            "levels": c.levels,
            "comment_required": c.comment_required,
        }
        for c in criteria(activity)
    ]
    row = db.session.scalar(
        select(PeerReviewLibraryRubric).where(
            PeerReviewLibraryRubric.deployment_id == activity.deployment_id,
            PeerReviewLibraryRubric.registration_id == activity.registration_id,
            PeerReviewLibraryRubric.name == name,
        )
    )
    if row is None:
        row = PeerReviewLibraryRubric(
            registration_id=activity.registration_id,
            deployment_id=activity.deployment_id,
            name=name,
        )
        db.session.add(row)
    row.criteria = items
    row.created_by_id = by.id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # saved under this name at the same moment
        raise PeerReviewError(
            f"A rubric named “{name}” was just saved by someone else; try again to replace it."
        ) from exc
    log.info("peer review %s: rubric saved to the library as %s", activity.public_id, row.public_id)
    return row


def apply_from_library(activity: Activity, entry: LibraryEntry) -> None:
    """Replace the activity's rubric with a library rubric (refused once reviews
    are done, as ``save_rubric`` refuses)."""
    for item in entry.criteria:
        problem = level_problem(item.name, item.levels, item.max_points)
        if problem:
            raise PeerReviewError(problem)
    save_rubric(activity, list(entry.criteria))
    log.info(
        "peer review %s: rubric %s applied from the library", activity.public_id, entry.public_id
    )


def delete_from_library(activity: Activity, public_id: str) -> bool:
    """Remove a saved rubric of the activity's deployment; False if there is none
    (starters cannot be removed). Activities that used it keep their copy."""
    row = _row(activity, public_id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    log.info("peer review %s: library rubric %s deleted", activity.public_id, public_id)
    return True
