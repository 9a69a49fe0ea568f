"""What the activity page shows about role-play: the learner's rounds (their own
group only) and the instructor's overview, with everyone's practice counts and
who would never practise. Building a view may plan or adapt a group's rotation
(see ``planning``); nothing else is written.

Privacy by query: a learner's view is built from their own group's rounds only;
cards come from ``visibility.visible_cards``, feedback from
``visibility.received_feedback``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import g
from sqlalchemy import func, select

from lti_app import clock
from lti_app.actor.session import Actor
from lti_app.extensions import db
from lti_app.peer_activities.grouping import state as grouping_state
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play import (
    completion,
    coverage,
    logistics,
    lookups,
    planning,
    scenarios,
    services,
    visibility,
)
from lti_app.peer_activities.role_play.models import (
    OBSERVER_RATING,
    SELF_RATING,
    RolePlayChecklistItem,
    RolePlayCompletion,
    RolePlayRating,
    RolePlayRound,
    RolePlayScenario,
)

STATUS_LABELS = {
    "ready": "Ready",
    "in_progress": "In progress",
    "feedback_due": "Feedback due",
    "done": "Done",
}
ROLE_LABELS = {"practitioner": "Practitioner", "client": "Client", "observer": "Observer"}


def enabled(activity: Activity) -> bool:
    return activity.activity_type == "role_play"


@dataclass
class RoundView:
    rnd: RolePlayRound
    scenario: RolePlayScenario | None
    #: (name, role) of every member, in seat order (the schedule is no secret).
    seats: list[tuple[str, str]]
    my_role: str | None
    #: Role → sanitised card HTML this person may read.
    cards: dict[str, str]
    #: Names of people who still owe something, with what.
    owed: list[tuple[str, str]]
    is_current: bool = False
    #: How many rounds the round's group plays (for "round 2 of 4").
    of: int = 0
    #: A round of another group, played as an absentee's replacement.
    guest: bool = False
    #: (person public id, name) of each seat, for the instructor's re-run form.
    seat_ids: list[tuple[str, str]] = field(default_factory=list)
    can_give_feedback: bool = False
    my_feedback: RolePlayRating | None = None
    my_self_rating: RolePlayRating | None = None
    received: list[tuple[str, RolePlayRating]] = field(default_factory=list)
    gap: list[visibility.GapRow] = field(default_factory=list)
    #: The shared round clock as the server sees it (learner pages).
    clock: logistics.ClockState | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.rnd.status]


@dataclass
class LearnerPanel:
    #: ``no_course``, ``not_ready`` (survey, agreement or group missing) or ``play``.
    step: str
    #: When not ready: what is missing first (``survey``, ``agreement``, ``group``, ``partners``).
    waiting_for: str = ""
    rounds: list[RoundView] = field(default_factory=list)
    items: list[RolePlayChecklistItem] = field(default_factory=list)
    completed: bool = False
    error: str = ""
    message: str = ""
    scale: tuple[tuple[int, str], ...] = scenarios.SCALE
    role_labels: dict[str, str] = field(default_factory=lambda: dict(ROLE_LABELS))
    #: Rounds the learner's own group plays.
    total: int = 0
    #: The rounds of their own group in which the learner is the practitioner.
    my_turns: list[int] = field(default_factory=list)
    #: The group plays one round per member (no fixed count).
    per_member: bool = True
    #: Where and when the learner's group meets.
    meet: logistics.GroupLogistics = field(default_factory=logistics.GroupLogistics)
    #: The field a refused logistics form is about (its error shows next to it).
    error_field: str = ""
    #: Server time (product clock), so pages correct the browser's clock skew.
    now: str | None = None
    minutes: int = 10


def _items(activity: Activity) -> tuple[list[RolePlayChecklistItem], list[tuple[str, str, str]]]:
    items = scenarios.checklist_of(activity)
    return items, [(i.public_id, i.skill, i.text) for i in items]


def learner_panel(actor: Actor, activity: Activity) -> LearnerPanel:
    """The learner's rounds: schedule, their card, feedback forms, their gap."""
    flash: dict[str, Any] = g.get("role_play_flash") or {}
    course = actor.course
    if course is None or activity.course_id != course.id:
        return LearnerPanel("no_course")
    known = grouping_state.learner_state(activity, course, actor.person)
    part = services.participation(activity, course, actor.person, known=known)
    if part is None or not part.rounds:
        waiting = (
            "survey"
            if not known.has_intake
            else "agreement"
            if not known.accepted
            else "group"
            if known.group is None
            else "partners"
        )
        return LearnerPanel("not_ready", waiting_for=waiting)
    person = actor.person
    items, item_rows = _items(activity)
    all_scenarios = scenarios.scenarios_of(activity)
    current = lookups.current_round(part.rounds)
    hosts = {
        r.group_id: lookups.current_round(lookups.rounds_of_group(r.group_id))
        for r in part.guest_rounds
    }
    given = lookups.ratings_for(part.rounds + part.guest_rounds)
    now = clock.now()
    minutes = logistics.round_minutes(activity)
    views = []
    for rnd in part.rounds + part.guest_rounds:
        guest = rnd.group_id != part.group.id
        scenario = scenarios.scenario_for_round(all_scenarios, rnd.number)
        seat = lookups.seat_of(rnd, person)
        ratings = given[rnd.id]
        view = RoundView(
            rnd=rnd,
            scenario=scenario,
            seats=[(s.person.display_name, s.role) for s in rnd.seats],
            my_role=seat.role if seat else None,
            cards=visibility.visible_cards(rnd, scenario, person),
            owed=[(s.person.display_name, what) for s, what in lookups.owed(rnd, ratings)],
            is_current=rnd is (hosts.get(rnd.group_id) if guest else current),
            guest=guest,
            of=0 if guest else len(part.rounds),
            can_give_feedback=seat is not None and seat in lookups.givers_of(rnd),
            my_feedback=lookups.own_rating(rnd, person, OBSERVER_RATING, ratings),
            my_self_rating=lookups.own_rating(rnd, person, SELF_RATING, ratings),
            received=[
                (r.author.display_name, r)
                for r in visibility.received_feedback(rnd, person, ratings)
            ],
            gap=visibility.gap_rows(rnd, person, item_rows, ratings),
            clock=logistics.clock_state(rnd, minutes, now),
        )
        views.append(view)
    turns = [v.rnd.number for v in views if not v.guest and v.my_role == "practitioner"]
    members = {m.person.id: m.person.display_name for m in known.members}
    row = part.rounds[0].logistics  # read along with the rounds
    return LearnerPanel(
        "play",
        rounds=views,
        items=items,
        completed=part.completed
        if part.completed is not None
        else completion.is_completed(activity, person),
        error=flash.get("error", ""),
        message=flash.get("message", ""),
        total=len(part.rounds),
        my_turns=turns,
        per_member=lookups.fixed_rounds(activity) is None,
        meet=logistics.view_of(row, members, person, now),
        error_field=flash.get("field", ""),
        now=logistics.iso_utc(now),
        minutes=minutes,
    )


# -- instructor ------------------------------------------------------------------------


@dataclass
class GroupRow:
    position: int
    rounds: list[RoundView]
    #: Person name → (feedback given, feedback received).
    counts: list[tuple[str, int, int]]
    stuck: list[str]
    #: (public id, label) of people in other groups: replacements for an absentee.
    others: list[tuple[str, str]] = field(default_factory=list)
    #: Each member's practitioner / client / observer seats, played and planned.
    practice: list[coverage.PracticeCount] = field(default_factory=list)
    #: Members (still active) with fewer than two people to play with.
    alone: bool = False

    @property
    def never(self) -> list[str]:
        """Names of members with no practitioner turn planned."""
        return [p.name for p in self.practice if p.never]


@dataclass
class SkillRow:
    skill: str
    average: float
    ratings: int

    @property
    def percent(self) -> int:
        return round(100 * self.average / scenarios.SCALE_MAX)


@dataclass
class StaffPanel:
    scenario_list: list[RolePlayScenario]
    items: list[RolePlayChecklistItem]
    checklist_text: str
    groups: list[GroupRow]
    skills: list[SkillRow]
    completed: int
    rule: str
    error: str = ""
    message: str = ""
    scale: tuple[tuple[int, str], ...] = scenarios.SCALE
    role_labels: dict[str, str] = field(default_factory=lambda: dict(ROLE_LABELS))
    #: The instructor's fixed round count; None: one round per member.
    fixed: int | None = None

    @property
    def gaps(self) -> list[GroupRow]:
        """Published groups in which someone has no practitioner turn planned."""
        return [row for row in self.groups if row.never and not row.alone]


def staff_panel(actor: Actor, activity: Activity) -> StaffPanel | None:
    """Every group's rounds, who is stuck, feedback counts, and skills by cohort."""
    course = actor.course
    if course is None or activity.course_id != course.id:
        return None
    flash: dict[str, Any] = g.get("role_play_flash") or {}
    items, _ = _items(activity)
    all_scenarios = scenarios.scenarios_of(activity)
    _, published = grouping_state.rounds_in_force(activity)
    groups = list(published.groups) if published is not None else []
    plans, active = planning.plans_and_roster(activity, groups)
    given = lookups.ratings_of_activity(activity)
    rows: list[GroupRow] = []
    for group in groups:
        group_rounds = plans[group.id]
        given_count: dict[int, int] = defaultdict(int)
        received_count: dict[int, int] = defaultdict(int)
        members = [m.person for m in group.members if m.person_id in active]
        views = []
        stuck: set[str] = set()
        current = lookups.current_round(group_rounds)
        for rnd in group_rounds:
            ratings = given[rnd.id]
            practitioner = lookups.practitioner_of(rnd)
            for r in ratings:
                if r.kind == OBSERVER_RATING:
                    given_count[r.author_id] += 1
                    if practitioner is not None:
                        received_count[practitioner.person_id] += 1
            owed = [(s.person.display_name, what) for s, what in lookups.owed(rnd, ratings)]
            if rnd.status in lookups.ENDED:
                stuck.update(name for name, _ in owed)
            views.append(
                RoundView(
                    rnd=rnd,
                    scenario=scenarios.scenario_for_round(all_scenarios, rnd.number),
                    seats=[(s.person.display_name, s.role) for s in rnd.seats],
                    my_role=None,
                    cards={},
                    owed=owed,
                    is_current=rnd is current,
                    of=len(group_rounds),
                    seat_ids=[(s.person.public_id, s.person.display_name) for s in rnd.seats],
                )
            )
        others = [
            (m.person.public_id, f"{m.person.display_name} (group {other.position})")
            for other in groups
            if other is not group
            for m in other.members
            if m.person_id in active
        ]
        rows.append(
            GroupRow(
                group.position,
                views,
                [(p.display_name, given_count[p.id], received_count[p.id]) for p in members],
                sorted(stuck),
                others,
                practice=coverage.practice_counts(members, group_rounds),
                alone=len(members) < 2,
            )
        )
    completed = (
        db.session.scalar(
            select(func.count(RolePlayCompletion.id)).where(
                RolePlayCompletion.activity_id == activity.id
            )
        )
        or 0
    )
    return StaffPanel(
        all_scenarios,
        items,
        scenarios.checklist_as_text(items),
        rows,
        skill_summary(activity, items, given),
        completed,
        lookups.completion_rule(activity),
        error=flash.get("error", ""),
        message=flash.get("message", ""),
        fixed=lookups.fixed_rounds(activity),
    )


def skill_summary(
    activity: Activity,
    items: list[RolePlayChecklistItem],
    given: Mapping[int, list[RolePlayRating]] | None = None,
) -> list[SkillRow]:
    """Observers' ratings averaged by skill across the whole cohort of the activity
    (``given``: every rating of the activity by round id, as already read)."""
    skill_of = {i.public_id: i.skill for i in items}
    totals: dict[str, list[int]] = {i.skill: [] for i in items}
    every = lookups.ratings_of_activity(activity) if given is None else given
    rows = [r for ratings in every.values() for r in ratings if r.kind == OBSERVER_RATING]
    for rating in rows:
        for item_id, value in (rating.ratings or {}).items():
            skill = skill_of.get(item_id)
            if skill is not None and isinstance(value, int):
                totals[skill].append(value)
    return [
        SkillRow(skill, round(sum(v) / len(v), 2) if v else 0.0, len(v))
        for skill, v in totals.items()
    ]
