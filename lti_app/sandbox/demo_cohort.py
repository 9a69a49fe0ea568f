"""The demo course's cohort, as if its roster had been synced and most learners had
answered the intake survey: so "Form groups" can be clicked at once in ``make run``.

It sets traps the matching engine must avoid: Dee manages Chidi, Hana and Lena;
Fatima manages Jade, who manages Marco (Fatima is Marco's skip-level manager);
Dee and Ivan report to managers outside the course. Ben and Kofi have not
answered yet (open the activity as Ben to fill the survey in). Existing answers
are never overwritten.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.db import utcnow
from lti_app.domain.roles import map_roles
from lti_app.extensions import db
from lti_app.lms.models import Registration
from lti_app.peer_activities.grouping.models import GroupingIntake
from lti_app.sandbox.platform import DEMO_COURSE, DEMO_USERS, SandboxPlatform

N, A, C = "Northwind Health", "Acme Logistics", "Riverside City Council"
#: sub -> (role/title, level 1-6, years, function, organisation, reports to, challenges)
PROFILES: dict[str, tuple[str, int, float, str, str, str, tuple[str, ...]]] = {
    "sandbox-chidi": (
        "Shift lead",
        2,
        6,
        "Operations",
        N,
        "sandbox-dee",
        ("Giving difficult feedback", "Budget cuts", "Leading through change"),
    ),
    "sandbox-dee": (
        "Operations manager",
        3,
        12,
        "Operations",
        N,
        "coo@northwind.example",
        ("Budget cuts", "Managing underperformance", "Leading through change"),
    ),
    "sandbox-eli": (
        "Sales team lead",
        2,
        4,
        "Sales",
        A,
        "sales.director@acme.example",
        ("Motivating a team", "Giving difficult feedback", "Prioritising with too little time"),
    ),
    "sandbox-fatima": (
        "Finance manager",
        3,
        10,
        "Finance",
        C,
        "",
        ("Budget cuts", "Stakeholder management", "Leading through change"),
    ),
    "sandbox-george": (
        "Software engineer",
        1,
        3,
        "Engineering",
        A,
        "sandbox-ivan",
        ("Working across silos", "Prioritising with too little time", "Giving difficult feedback"),
    ),
    "sandbox-hana": (
        "HR business partner",
        2,
        7,
        "HR",
        N,
        "sandbox-dee",
        ("Managing conflict in the team", "Giving difficult feedback", "Developing people"),
    ),
    "sandbox-ivan": (
        "Head of engineering",
        4,
        15,
        "Engineering",
        A,
        "cto@acme.example",
        ("Leading through change", "Budget cuts", "Developing people"),
    ),
    "sandbox-jade": (
        "Budget team lead",
        2,
        5,
        "Finance",
        C,
        "sandbox-fatima",
        ("Budget cuts", "Managing conflict in the team", "Delegating"),
    ),
    "sandbox-lena": (
        "Ward coordinator",
        2,
        8,
        "Operations",
        N,
        "sandbox-dee",
        ("Managing remote or hybrid teams", "Motivating a team", "Giving difficult feedback"),
    ),
    "sandbox-marco": (
        "Finance analyst",
        1,
        1,
        "Finance",
        C,
        "sandbox-jade",
        ("Prioritising with too little time", "Working across silos", "Budget cuts"),
    ),
}


def seed_demo_cohort(reg: Registration, platform: SandboxPlatform) -> int:
    """Create the demo course, its people and their intakes in the tool (idempotent);
    returns how many intakes were added. The caller commits."""
    dep = reg.deployments[0]
    ctx = str(DEMO_COURSE["id"])
    course = db.session.scalar(
        select(Course).where(Course.deployment_id == dep.id, Course.context_id == ctx)
    )
    if course is None:
        api = f"{platform.issuer}/api/courses/{ctx}"
        course = Course(
            registration_id=reg.id,
            deployment_id=dep.id,
            context_id=ctx,
            title=str(DEMO_COURSE["title"]),
            label=str(DEMO_COURSE["label"]),
            nrps_url=api + "/memberships",
            ags_lineitems_url=api + "/lineitems",
        )
        db.session.add(course)
        db.session.flush()
    people: dict[str, Person] = {}
    for user in DEMO_USERS:
        person = db.session.scalar(
            select(Person).where(Person.registration_id == reg.id, Person.sub == user.sub)
        )
        if person is None:
            person = Person(
                registration_id=reg.id,
                sub=user.sub,
                name=user.name,
                given_name=user.given_name,
                family_name=user.family_name,
                email=user.email,
            )
            db.session.add(person)
            db.session.flush()
        people[user.sub] = person
        if (
            db.session.scalar(
                select(Enrolment.id).where(
                    Enrolment.course_id == course.id, Enrolment.person_id == person.id
                )
            )
            is None
        ):
            db.session.add(
                Enrolment(
                    course_id=course.id, person_id=person.id, roles=map_roles(user.roles).as_list()
                )
            )
    added = 0
    for sub, (title, level, years, function, org, boss, challenges) in PROFILES.items():
        person = people[sub]
        if (
            db.session.scalar(
                select(GroupingIntake.id).where(
                    GroupingIntake.course_id == course.id, GroupingIntake.person_id == person.id
                )
            )
            is not None
        ):
            continue
        fields: dict[str, Any] = (
            {"reports_to_id": people[boss].id} if boss in people else {"reports_to_text": boss}
        )
        db.session.add(
            GroupingIntake(
                course_id=course.id,
                person_id=person.id,
                role_title=title,
                level=level,
                years=years,
                function=function,
                organisation=org,
                challenges=list(challenges),
                challenge_other="",
                answers={},
                completed_at=utcnow(),
                **fields,
            )
        )
        added += 1
    db.session.flush()
    return added
