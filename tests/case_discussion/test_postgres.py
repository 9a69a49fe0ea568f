"""Concurrent posting and the library search on the real PostgreSQL (required in CI)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lti_app.courses.models import Course, Person
from lti_app.extensions import db
from lti_app.lms.models import Deployment
from lti_app.peer_activities.case_discussion import lookups, panel, services, summaries
from lti_app.peer_activities.case_discussion.models import CaseDiscussionPost
from lti_app.peer_activities.grouping.models import (
    GroupingAcceptance,
    GroupingGroup,
    GroupingMember,
    GroupingRound,
)
from lti_app.peer_activities.models import Activity
from tests.conftest import postgres_app

pytestmark = pytest.mark.services

MEMBERS = 8


@pytest.fixture
def pg_app(services: None, platform_server: Any) -> Iterator[Flask]:
    with postgres_app(platform_server, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 12}) as app:
        yield app


def _group(app: Flask) -> tuple[int, int, list[int]]:
    """A case discussion with one published group of MEMBERS; (activity, group, people)."""
    with app.app_context():
        dep = db.session.scalars(select(Deployment)).one()
        course = Course(
            registration_id=dep.registration_id, deployment_id=dep.id, context_id="cd-pg"
        )
        db.session.add(course)
        db.session.flush()
        activity = Activity(
            registration_id=dep.registration_id,
            deployment_id=dep.id,
            course_id=course.id,
            activity_type="case_discussion",
            title="Budget 100% cut_plan",
            settings={"completion_posts": 50},
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
        people = []
        for i in range(MEMBERS):
            person = Person(
                registration_id=dep.registration_id,
                sub=f"cd-{i}",
                name=f"Member {i}",
                given_name=f"M{i}",
            )
            db.session.add(person)
            db.session.flush()
            db.session.add(GroupingMember(round_id=rnd.id, group_id=group.id, person_id=person.id))
            db.session.add(GroupingAcceptance(course_id=course.id, person_id=person.id, version=1))
            people.append(person.id)
        db.session.commit()
        return activity.id, group.id, people


def _access(person_id: int, group_id: int) -> tuple[Any, Any]:
    person = db.session.get(Person, person_id)
    group = db.session.get(GroupingGroup, group_id)
    course = db.session.get(Course, group.round.course_id)
    return person, lookups.access(group, person, course, staff=False)


def test_members_posting_at_once_get_distinct_revisions_and_pollers_miss_nothing(
    pg_app: Flask,
) -> None:
    activity_id, group_id, people = _group(pg_app)
    with pg_app.app_context():
        activity = db.session.get(Activity, activity_id)
        person, acc = _access(people[0], group_id)
        thread = services.start_thread(activity, acc, person, "Ideas", "Go.")
        thread_id = thread.id
        db.session.commit()
    barrier = threading.Barrier(MEMBERS)

    def post(person_id: int) -> int:
        with pg_app.app_context():
            activity = db.session.get(Activity, activity_id)
            person, acc = _access(person_id, group_id)
            found = db.session.get(services.CaseDiscussionThread, thread_id)
            barrier.wait()
            created = services.reply(activity, acc, found, person, f"From {person_id}")
            revision = created.revision
            db.session.commit()
            return revision

    with ThreadPoolExecutor(MEMBERS) as pool:
        revisions = list(pool.map(post, people))
    assert sorted(revisions) == list(range(2, MEMBERS + 2))
    with pg_app.app_context():
        found = db.session.get(services.CaseDiscussionThread, thread_id)
        assert found.revision == MEMBERS + 1 and found.post_count == MEMBERS + 1
        person, acc = _access(people[1], group_id)
        changes = panel.changes_since(acc, found, person, 1)
        assert len(changes) == MEMBERS
        counts = {row.person.id: row.posts for row in lookups.participation(acc.group)}
        assert counts[people[0]] == 2 and all(counts[p] == 1 for p in people[1:])
        assert db.session.scalar(select(db.func.count(CaseDiscussionPost.id))) == MEMBERS + 1


def test_library_search_treats_percent_and_underscore_literally(pg_app: Flask) -> None:
    activity_id, group_id, people = _group(pg_app)
    with pg_app.app_context():
        activity = db.session.get(Activity, activity_id)
        course = db.session.get(Course, activity.course_id)
        staff_acc = lookups.Access(db.session.get(GroupingGroup, group_id), False, True, True)
        summaries.add_item(activity, staff_acc, "ideas", "Phase the hiring freeze")
        summaries.publish(activity, staff_acc, db.session.get(Person, people[0]), "https://x")
        db.session.commit()
        assert len(summaries.library(course, "HIRING")) == 1
        assert len(summaries.library(course, "100%")) == 1  # the activity title
        assert len(summaries.library(course, "cut_plan")) == 1
        assert summaries.library(course, "cut%plan") == []
        assert summaries.library(course, "h_ring") == []
