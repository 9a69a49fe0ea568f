"""What the activity page shows about groups: the instructor's dashboard and the
learner's next step. Read-only: these build view data, they never write.

Privacy by query: the learner's view loads only their own group, and of its
members only names and role titles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g

from lti_app.actor.session import Actor
from lti_app.courses.models import Course
from lti_app.peer_activities import registry
from lti_app.peer_activities.grouping import agreement, intake, rounds, state
from lti_app.peer_activities.grouping.cohort import Cohort, load_cohort
from lti_app.peer_activities.grouping.latecomers import LatePlan, preview_late_joiners
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingRound
from lti_app.peer_activities.models import Activity


def enabled(activity: Activity) -> bool:
    """Whether the activity's type declares the grouping capability."""
    return registry.has(activity, registry.GROUPING)


@dataclass(frozen=True)
class MemberView:
    public_id: str
    name: str
    title: str
    accepted: bool
    active: bool
    added_late: bool


@dataclass(frozen=True)
class GroupView:
    group: GroupingGroup
    members: list[MemberView]


@dataclass(frozen=True)
class RoundView:
    round: GroupingRound
    groups: list[GroupView]
    options_text: str


@dataclass
class StaffPanel:
    course: Course
    members: int
    intakes_done: int
    accepted: int
    missing_intake: list[str]
    agreement_version: int
    survey_customised: bool
    imported_lines: int
    size_bounds: tuple[int, int]
    draft: RoundView | None
    published: RoundView | None
    published_rounds: int
    late_joiners: list[str]
    #: Eligible now but not in the draft (finished the intake after it was formed).
    draft_missing: list[str]
    departed: list[tuple[int, str]]
    #: A message about the last action (e.g. why groups could not be formed).
    message: str = ""
    error: str = ""
    people: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    #: (text, key) of the checked ways out when groups could not be formed.
    fixes: list[tuple[str, str]] = field(default_factory=list)
    #: (field name, id, text) of the rule exceptions in force, as ticked boxes.
    exceptions: list[tuple[str, str, str]] = field(default_factory=list)
    #: What "Add them to groups" would do: who joins where, who waits and why.
    late: LatePlan | None = None


@dataclass
class LearnerPanel:
    #: ``intake``, ``agreement``, ``group`` or ``waiting``; ``no_course`` outside a course.
    step: str
    agreement_text: str = ""
    agreement_version: int = 0
    reaccept: bool = False
    group: GroupingGroup | None = None
    #: (name, role title, is this person, has left the course) of their group only.
    members: list[tuple[str, str, bool, bool]] = field(default_factory=list)


def _round_view(rnd: GroupingRound, cohort: Cohort, accepted: set[int]) -> RoundView:
    groups = [
        GroupView(
            grp,
            [
                MemberView(
                    m.person.public_id,
                    m.person.display_name,
                    cohort.title(m.person.public_id),
                    m.person_id in accepted,
                    cohort.is_active(m.person.public_id),
                    m.added_late,
                )
                for m in grp.members
            ],
        )
        for grp in rnd.groups
    ]
    return RoundView(rnd, groups, rounds.options_summary(rnd.options or {}))


def staff_panel(actor: Actor, activity: Activity) -> StaffPanel | None:
    """The instructor's grouping dashboard for the activity (None outside a course)."""
    course = actor.course
    if course is None or activity.course_id != course.id:
        return None
    cohort = load_cohort(course)
    current = agreement.current_agreement(course)
    accepted = agreement.accepted_person_ids(course, current.version)
    active = cohort.active_learners
    draft, published = state.rounds_in_force(activity)
    flash: dict[str, Any] = g.get("grouping_flash") or {}
    options = dict(flash.get("options") or {})
    if not options:
        previous = draft or published
        kept = previous.options if previous else {}
        options = {
            "avoid_same_manager": bool(kept.get("avoid_same_manager")),
            "organisations": kept.get("organisations", "ignore"),
            "allow_same_manager": list(kept.get("allow_same_manager") or ()),
            "allow_skip_level": list(kept.get("allow_skip_level") or ()),
        }
    return StaffPanel(
        course=course,
        members=len(active),
        intakes_done=len([e for e in active if e.person.public_id in cohort.learners]),
        accepted=len([e for e in active if e.person.id in accepted]),
        missing_intake=[e.person.display_name for e in cohort.missing_intake],
        agreement_version=current.version,
        survey_customised=intake.survey_for(course).customised,
        imported_lines=cohort.imported_lines,
        size_bounds=rounds.size_bounds(activity),
        draft=_round_view(draft, cohort, accepted) if draft else None,
        published=_round_view(published, cohort, accepted) if published else None,
        published_rounds=state.published_count(activity),
        late_joiners=[cohort.name(p) for p in rounds.late_joiners(published, cohort)]
        if published
        else [],
        draft_missing=[cohort.name(p) for p in rounds.late_joiners(draft, cohort)] if draft else [],
        departed=[(grp.position, name) for grp, name in rounds.departed(published, cohort)]
        if published
        else [],
        message=flash.get("message", ""),
        error=flash.get("error", ""),
        people=list(flash.get("people", ())),
        options=options,
        fixes=list(flash.get("fixes", ())),
        exceptions=_exceptions(cohort, options),
        late=preview_late_joiners(published, cohort)
        if published and rounds.late_joiners(published, cohort)
        else None,
    )


def _exceptions(cohort: Cohort, options: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The rule exceptions in force, in words, for the "Form groups" form."""
    found = [
        ("allow_same_manager", pid, f"{cohort.name(pid)}'s reports may share groups")
        for pid in options.get("allow_same_manager") or ()
        if isinstance(pid, str)
    ]
    found += [
        (
            "allow_skip_level",
            pid,
            f"{cohort.name(pid)} may share a group with their skip-level reports",
        )
        for pid in options.get("allow_skip_level") or ()
        if isinstance(pid, str)
    ]
    return found


def learner_panel(actor: Actor, activity: Activity) -> LearnerPanel:
    """The learner's next step: survey, then agreement, then their group (read in
    two statements, kept for the activity's own panel: ``state.learner_state``)."""
    course = actor.course
    if course is None or activity.course_id != course.id:
        return LearnerPanel("no_course")
    person = actor.person
    found = state.learner_state(activity, course, person)
    if not found.has_intake:
        return LearnerPanel("intake")
    current = found.agreement
    if not found.accepted:
        return LearnerPanel(
            "agreement",
            agreement_text=current.text,
            agreement_version=current.version,
            reaccept=found.accepted_any,
        )
    if found.group is None:
        return LearnerPanel("waiting")
    members = [
        (m.person.display_name, m.title, m.person.id == person.id, not m.active)
        for m in found.members
    ]
    return LearnerPanel("group", group=found.group, members=members)


#: Grouping's part of the page of an activity that declares ``registry.GROUPING``
#: (installed by ``lti_app.peer_activities.init_app``).
PANELS = {
    "staff": registry.Panel("grouping/_activity.html", staff_panel),
    "learner": registry.Panel("grouping/_activity.html", learner_panel),
}
