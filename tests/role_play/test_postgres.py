"""A rotation adapting to a changed group on the real PostgreSQL (required in CI):
several first looks at once change it once, and renumbering never trips the
(group, number) unique constraint."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.domain.rotation import PRACTITIONER
from lti_app.extensions import db
from lti_app.lms.models import Deployment
from lti_app.peer_activities.grouping.models import GroupingGroup, GroupingMember, GroupingRound
from lti_app.peer_activities.models import Activity
from lti_app.peer_activities.role_play import planning
from lti_app.peer_activities.role_play.models import IN_PROGRESS, READY, RolePlayRound
from tests.conftest import postgres_app

pytestmark = pytest.mark.services

LOOKERS = 6


@pytest.fixture
def pg_app(services: None, platform_server: Any) -> Iterator[Flask]:
    with postgres_app(platform_server, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 8}) as app:
        yield app


def _person(dep: Deployment, course: Course, key: str) -> Person:
    person = Person(registration_id=dep.registration_id, sub=f"rp-{key}", name=key.title())
    db.session.add(person)
    db.session.flush()
    db.session.add(Enrolment(course_id=course.id, person_id=person.id, roles=["learner"]))
    return person


def test_a_late_joiner_and_a_leaver_seen_by_several_people_at_once_change_the_rotation_once(
    pg_app: Flask,
) -> None:
    with pg_app.app_context():
        dep = db.session.scalars(select(Deployment)).one()
        course = Course(
            registration_id=dep.registration_id, deployment_id=dep.id, context_id="rp-pg"
        )
        db.session.add(course)
        db.session.flush()
        activity = Activity(
            registration_id=dep.registration_id,
            deployment_id=dep.id,
            course_id=course.id,
            activity_type="role_play",
            title="Fours",
            settings={"group_size": 4},
        )
        db.session.add(activity)
        db.session.flush()
        rnd = GroupingRound(
            activity_id=activity.id,
            course_id=course.id,
            number=1,
            status="published",
            published_at=datetime(2026, 1, 1),
        )
        group = GroupingGroup(round=rnd, position=1)
        db.session.add_all([rnd, group])
        db.session.flush()
        people = [_person(dep, course, k) for k in ("ana", "ben", "cy", "dee")]
        for p in people:
            db.session.add(GroupingMember(round_id=rnd.id, group_id=group.id, person_id=p.id))
        db.session.flush()
        rounds = planning.ensure_plan(activity, group)
        assert len(rounds) == 4
        rounds[0].status = IN_PROGRESS
        leaver = next(s.person for s in rounds[1].seats if s.role == PRACTITIONER)
        db.session.execute(
            update(Enrolment).where(Enrolment.person_id == leaver.id).values(status="inactive")
        )
        newcomer = _person(dep, course, "eve")
        db.session.add(
            GroupingMember(
                round_id=rnd.id, group_id=group.id, person_id=newcomer.id, added_late=True
            )
        )
        ids = (activity.id, group.id, leaver.id, newcomer.id)
        db.session.commit()
    barrier = threading.Barrier(LOOKERS)

    def look(_: int) -> None:
        with pg_app.app_context():
            activity = db.session.get(Activity, ids[0])
            group = db.session.get(GroupingGroup, ids[1])
            barrier.wait()
            planning.ensure_plan(activity, group)
            db.session.commit()

    with ThreadPoolExecutor(LOOKERS) as pool:
        list(pool.map(look, range(LOOKERS)))
    with pg_app.app_context():
        found = list(
            db.session.scalars(
                select(RolePlayRound)
                .where(RolePlayRound.group_id == ids[1])
                .order_by(RolePlayRound.number)
            )
        )
        # Round 1 (in progress) kept; the leaver's practitioner turn (round 2) goes to
        # the newcomer, who was waiting for one: still four rounds, changed once.
        assert [r.number for r in found] == [1, 2, 3, 4]
        assert found[0].status == IN_PROGRESS
        practitioners = [
            next(s.person_id for s in r.seats if s.role == PRACTITIONER) for r in found
        ]
        assert practitioners[1] == ids[3] and ids[2] not in practitioners[1:]
        assert len(set(practitioners)) == 4
        for r in found[1:]:
            assert r.status == READY and ids[2] not in {s.person_id for s in r.seats}
            assert ids[3] in {s.person_id for s in r.seats}
