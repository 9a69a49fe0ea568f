"""Regression guards for the hot endpoints: the SQL statements a request costs,
counted (never timed) on a course whose learners have work in all four
activities, and the same in a small course and a larger one.

Counted as production runs: the login state in Redis (not the database store the
other tests use) and the platform registry cached in the process (as its 10 s cache does).

Every endpoint is pinned at what it costs now, the same number in a course of 4
learners and of 10, so a change that adds a statement (or makes one per learner)
fails here and has to say why. The issue's budget for a launch is 8 statements
(repeat) and 12 (first): see ``LAUNCH_BUDGET`` for where each activity stands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from lti_app.extensions import db
from lti_app.launch.state_store import make_store
from lti_app.lms import registry
from lti_app.peer_activities.journal import clock as journal_clock
from lti_app.sandbox.platform import SandboxUser
from tests.case_discussion.support import DiscussionDriver
from tests.conftest import REDIS_URL
from tests.grouping.support import GroupingDriver
from tests.journal.support import JournalDriver
from tests.peer_review.support import PeerReviewDriver
from tests.support.activity_driver import Visit, make_learner
from tests.support.lti import INSTRUCTOR
from tests.support.templates import TEMPLATES

#: Counted as production runs: a rolled-back test transaction would add SAVEPOINTs.
pytestmark = pytest.mark.committed_db

START = datetime(2026, 3, 2, 9, 0)


@contextmanager
def counted(app: Any) -> Iterator[list[str]]:
    """The statements sent to the database inside the block."""
    found: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        found.append(" ".join(statement.split())[:160])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", count)


@dataclass
class Course:
    """One course with the four activities and ``size`` learners who all took part."""

    app: Any
    learners: list[SandboxUser]
    pr: PeerReviewDriver
    jd: JournalDriver
    cd: DiscussionDriver
    rp: GroupingDriver
    thread: str
    checkin_of: Callable[[SandboxUser], str]

    def launch(self, user: SandboxUser, driver: Any) -> Visit:
        visit: Visit = driver.enter(user)
        return visit


class Clock:
    def __init__(self) -> None:
        self.current = START

    def now(self) -> datetime:
        return self.current


def build_course(lti: Any, app: Any, size: int, monkeypatch: pytest.MonkeyPatch) -> Course:
    app.jinja_env.bytecode_cache = TEMPLATES
    clock = Clock()
    monkeypatch.setattr(journal_clock, "now", clock.now)
    learners = [make_learner("hot", f"l{i:03d}", f"Learner Number{i}") for i in range(size)]

    rp = GroupingDriver(lti, app)
    rp.create_activity("role_play", link="rp-link", group_size="3")
    cd = DiscussionDriver(GroupingDriver(lti, app))
    cd.setup(tuple(learners), group_size="4")
    thread = cd.new_thread(learners[0])
    for user in learners[1:]:
        if cd.group_of(user) == cd.group_of(learners[0]):
            assert cd.reply(user, thread, f"Reply from {user.name}").status_code == 303
    staff_rp = rp.enter(INSTRUCTOR)
    for user in learners:
        rp.ready(user)
    assert rp.form_groups(staff_rp).status_code == 303

    pr = PeerReviewDriver(lti, app)
    pr.create_activity(link="pr-link")
    visits = {u.sub: pr.enter(u) for u in learners}
    for user in learners:
        assert pr.submit(visits[user.sub], f"Essay by {user.name}").status_code == 303
    for user in learners[: size // 2]:
        review = pr.open_review(visits[user.sub])
        assert pr.send_review(visits[user.sub], review).status_code == 303

    jd = JournalDriver(lti, app)
    jd.setup(checkin_days="1")
    for user in learners:
        jd.complete(jd.join(user))
    clock.current = START + timedelta(days=2)  # every learner's 1-day check-in is due

    def checkin_of(user: SandboxUser) -> str:
        return str(jd.checkins(user)[0].public_id)

    return Course(app, learners, pr, jd, cd, rp, thread, checkin_of)


def _warm_registry_for_this_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry cache as a production worker has it: warm for the hour. Only this
    test's own thread may clear it or change its lifetime: a background thread an
    earlier test in this process left behind (a job runner or sweeper building its
    own app, which sets the configured lifetime, 0 in tests) cleared it now and then
    in full runs, and the next launch paid one registration read that is not the
    endpoint's cost (the cold path has its own test, tests/test_registry_cache.py)."""
    import threading

    registry.configure_cache(3600)  # a slow test must not see it expire
    mine = threading.get_ident()
    clear, configure = registry._cache.clear, registry.configure_cache

    def clear_here() -> None:
        if threading.get_ident() == mine:
            clear()

    def configure_here(ttl: float) -> None:
        if threading.get_ident() == mine:
            configure(ttl)

    monkeypatch.setattr(registry._cache, "clear", clear_here)
    monkeypatch.setattr(registry, "configure_cache", configure_here)


@pytest.fixture(params=[4, 10], ids=["4-learners", "10-learners"])
def course(
    request: Any, services: None, lti: Any, app: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Course]:
    app.extensions["peerlift.store"] = make_store(REDIS_URL)
    _warm_registry_for_this_thread(monkeypatch)
    try:
        yield build_course(lti, app, request.param, monkeypatch)
    finally:
        registry.configure_cache(0)


def _drivers(c: Course) -> dict[str, Any]:
    return {"peer_review": c.pr, "journal": c.jd, "case_discussion": c.cd.g, "role_play": c.rp}


#: The issue's budget for a launch (login + launch answered with the page); only
#: the role-play's shell comes near it so far (see bench/README.md).
LAUNCH_BUDGET = {"repeat": 8, "first": 12}

#: What a learner's repeat launch into each activity costs now (login and launch
#: together; the launch answers with the page). Shared by every activity (3):
#: the login none (registration and deployment cached in the process); the launch
#: person/course/enrolment/activity in one SELECT (1) and no write when nothing
#: changed; the page the notices of every activity (1) and the learning checks (1).
#: The rest is the activity's own panel (see bench/README.md for what is left).
#: peer_review: 19 -> 10 (issue 17, h/prj17). Its panel is 7 statements:
#:   1. learner count + the reporting pairs' change stamps (one row)
#:   2. the submissions (id, author) with their group members (outer join)
#:   3. the learner's own submission
#:   4. the learner's reviews, given and received, with their reviewers
#:   5. the learner's progress row
#:   6. the rubric's criteria (their received feedback is shown per criterion)
#:   7. the course members' names, only when feedback is shown under single/
#:      double-blind, so the reviewers' words can be cleared of names (issue 15,
#:      finding 6)
#: journal: 16 -> 10 (issue 17, h/prj17). Its panel is 7 statements:
#:   1. the entries the learner may read (group mates in a subquery)
#:   2. the course's activities (an entry may be tagged with one)
#:   3. the learner's plan items with their updates (joined)
#:   4. the learner's check-ins
#:   5. the observations asked for on their items
#:   6. who they may ask to observe: the course members, with their reporting
#:      line and intake answer in the same row
#:   7. their progress row
#: case_discussion: 37 -> 32 (issue 18): the page now keeps each panel's data until
#: it is rendered (registry.Part), so the group members grouping's panel read stay
#: in the session and the case discussion's panel no longer reads them again.
#: case_discussion: 32 -> 7 (issue 17), the same in both courses: its own part is two
#: statements (h/cd17, see CASE_DISCUSSION_PART); grouping's part reads the learner's
#: intake, agreement, acceptance and group in one statement (grouping/state.py) and the
#: group's members with their people in one more, kept in flask.g for the activity's own
#: panel (rp17). role_play here has only a draft of groups (no group in force): the
#: shared part, grouping's state (1); a published role-play is pinned in
#: ROLE_PLAY_PUBLISHED below.
REPEAT_LAUNCH = {"peer_review": 10, "journal": 10, "case_discussion": 7, "role_play": 4}
#: The same page opened again with its session token: the same numbers, the launch's
#: row lookup replaced by the actor's (person/course/enrolment status) that reads the
#: activity along (1; 2 before launch17 read the activity by itself).
PAGE_GET = {"peer_review": 10, "journal": 10, "case_discussion": 7, "role_play": 4}


def test_a_learners_repeat_launch_costs_the_same_in_a_small_and_a_larger_course(
    course: Course,
) -> None:
    user = course.learners[1]
    for kind, driver in _drivers(course).items():
        driver.enter(user)  # a repeat launch: the one before warms the per-process caches
        with counted(course.app) as statements:
            visit = driver.enter(user)
        assert "is due" in visit.html  # the notices found the learner's due check-in
        exact = REPEAT_LAUNCH[kind]
        assert len(statements) == exact, (kind, len(statements), statements)


def test_a_repeat_launch_writes_nothing_when_nothing_changed(course: Course) -> None:
    """Person, enrolment, course, activity and the platform's frame origins as they
    were: the launch only reads (``last_launch_at`` is refreshed at most every 15 min)."""
    user = course.learners[1]
    course.jd.enter(user)
    with counted(course.app) as statements:
        course.jd.enter(user)
    assert not [s for s in statements if not s.startswith("SELECT")], statements


#: With xAPI on, the "launched" statement is queued by one INSERT … ON CONFLICT DO
#: NOTHING (the statement id decides; a SELECT and an INSERT before launch17).
XAPI_LAUNCHED = 1


def test_a_repeat_launch_with_xapi_on_queues_its_statement_in_one_insert(course: Course) -> None:
    course.app.config.update(XAPI_ENABLED=True, XAPI_LRS_ENDPOINT="https://lrs.invalid/xapi")
    user = course.learners[1]
    course.rp.enter(user)
    with counted(course.app) as statements:
        course.rp.enter(user)
    exact = REPEAT_LAUNCH["role_play"] + XAPI_LAUNCHED
    assert len(statements) == exact, (len(statements), statements)
    assert sum(s.startswith("INSERT INTO analytics_statement") for s in statements) == 1


def test_a_first_launch_costs_a_fixed_number_of_statements(course: Course) -> None:
    newcomer = make_learner("hot", "newcomer", "New Comer")
    with counted(course.app) as statements:
        course.jd.enter(newcomer)
    assert len(statements) == FIRST_LAUNCH, (len(statements), statements)


#: A newcomer's first launch into the journal: shared 5 — the launch's lookup (1),
#: person and enrolment each created by one INSERT … ON CONFLICT … RETURNING (2; no
#: SELECT, savepoint or UPDATE around them: 8 before launch17), the notices (1), the
#: learning checks (1) — and the journal's panel for a learner with no work yet (6;
#: 10 before h/prj17 folded group mates into the entries' query and the observers'
#: reporting line and intake into the members' query). 23 before issue 17's work.
FIRST_LAUNCH = 11


def test_activity_page_get_costs_the_same_in_a_small_and_a_larger_course(course: Course) -> None:
    user = course.learners[1]
    for kind, driver in _drivers(course).items():
        visit = driver.enter(user)
        with counted(course.app) as statements:
            resp = course.app.test_client().get(
                f"/a/{driver.activity}", query_string={"t": visit.token}
            )
        assert resp.status_code == 200
        exact = PAGE_GET[kind]
        assert len(statements) == exact, (kind, len(statements), statements)


#: A reply in a thread of the learner's group (issue 17: 18 -> 7, prebuilt):
#: 1 the session's person/course/enrolment, 2 the activity,
#: 3 the thread with its group, members and the author's membership, agreement
#:   acceptance and facilitator flag (one row per member; routing.thread_access),
#: 4 UPDATE the thread's revision/post count RETURNING them,
#: 5 INSERT the post (a post naming nobody reads no mentions),
#: 6 UPDATE the author's nudges as seen,
#: 7 completion: completed / posts / summary read in one row (not complete yet).
POST_TO_DISCUSSION = 7
#: A due check-in answered: 12 -> 10 (issue 17, h/prj17):
#:   1. the person/course/enrolment lookup  2. the activity
#:   3. the learner's check-ins (the one answered is found among them)
#:   4. their plan items (read once, for the form and the answer)
#:   5. UPDATE the check-in  6. INSERT its answers (added by key: no answers loaded)
#:   7. the journal progress row (completion)  8. the completion line item
#:   9. the learner's roles (gradable?)  10. their score row
CHECKIN_SUBMIT = 10


def test_posting_to_a_discussion_costs_the_same_whatever_the_course_size(course: Course) -> None:
    user = course.learners[0]
    visit = course.cd.g.enter(user)
    with counted(course.app) as statements:
        resp = course.app.test_client().post(
            f"/cd/{course.cd.activity}/threads/{course.thread}/posts",
            data={"t": visit.token, "body": "One more idea"},
        )
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert len(statements) == POST_TO_DISCUSSION, (len(statements), statements)


def test_answering_a_check_in_costs_the_same_whatever_the_course_size(course: Course) -> None:
    user = course.learners[1]
    visit = course.jd.join(user)
    [item] = course.jd.items(user)
    checkin = course.checkin_of(user)
    with counted(course.app) as statements:
        resp = course.jd.answer(visit, checkin, {item: "tried"}, confidence=4)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert len(statements) == CHECKIN_SUBMIT, (len(statements), statements)


#: "Start next review" for a learner who owes reviews (SQLite, as this file runs;
#: on PostgreSQL the allocation's locks are taken by statement 3 as well):
#:   1. the person/course/enrolment lookup  2. the activity
#:   3. own submission? rubric? learner count, reporting pairs' stamps (one row)
#:   4. the reviewer's own reviews (lapsed leases let go)
#:   5. the pool: every submission's review counts (one aggregate)
#:   6. the chosen submission's counts again, locked (claim if unchanged)
#:   7. INSERT the lease
#: Held lease: 3, 4, then the review and its renewed lease (UPDATE) instead of 5-7.
NEXT_REVIEW = {"new": 7, "resume": 6}


def test_starting_the_next_review_costs_the_same_whatever_the_course_size(
    course: Course,
) -> None:
    user = course.learners[-1]  # submitted, has not reviewed yet
    visit = course.pr.enter(user)
    with counted(course.app) as statements:
        resp = course.pr.next_review(visit)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert len(statements) == NEXT_REVIEW["new"], (len(statements), statements)
    with counted(course.app) as statements:
        resp = course.pr.next_review(visit)  # the lease held is handed back, renewed
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert len(statements) == NEXT_REVIEW["resume"], (len(statements), statements)


#: The case discussion's own part of its activity page (issue 17), counted from
#: the panel's first line to its last, so grouping's panel (which the page also
#: shows) and the shared launch/page statements are not in it.
#: learner: 1 the case, agreement accepted, group (published grouping), its
#:   members and summary, completed, post count, whether any facilitator or file
#:   exists (one row per member; page_reads.learner_reads),
#:   2 the group's threads with their peer-coaching rounds.
#:   (+1 the facilitators when the activity has some, +1 the files when it has some.)
#: staff: 1 the case, completion count, whether files/facilitators exist,
#:   2 the published groups with summary, thread count and members (joined),
#:   3 posts per group member. (+1 facilitators, +1 files, when there are some.)
CASE_DISCUSSION_PART = {"learner": 2, "staff": 3}
#: A thread page opened by a member: person/course/enrolment, activity, the
#: thread with its group, members and the reader's standing (one row per member),
#: mentions seen, nudges seen, the newest posts, their mentions, the reader's
#: "this helped" (issue 17: 12 -> 8, no longer one per group member).
THREAD_PAGE = 8


@contextmanager
def case_discussion_part(
    monkeypatch: pytest.MonkeyPatch, statements: list[str]
) -> Iterator[list[int]]:
    """Marks where the case discussion's panel starts (its flash() read) and ends
    (its rule text, the last thing it builds) in ``statements``."""
    from lti_app.peer_activities.case_discussion import completion, overview, panel

    marks: list[int] = []
    flash, rule_text = panel.flash, completion.rule_text

    def start() -> Any:
        marks.append(len(statements))
        return flash()

    def end(activity: Any) -> str:
        marks.append(len(statements))
        return rule_text(activity)

    monkeypatch.setattr(panel, "flash", start)
    monkeypatch.setattr(overview, "flash", start)
    monkeypatch.setattr(completion, "rule_text", end)
    yield marks


@pytest.mark.parametrize("who", ["learner", "staff"])
def test_the_case_discussion_part_of_its_page_is_constant(
    course: Course, who: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = course.learners[1] if who == "learner" else INSTRUCTOR
    driver = course.cd.g
    visit = driver.enter(user)
    with counted(course.app) as statements, case_discussion_part(monkeypatch, statements) as marks:
        resp = course.app.test_client().get(
            f"/a/{driver.activity}", query_string={"t": visit.token}
        )
    assert resp.status_code == 200
    start, end = marks
    assert end - start == CASE_DISCUSSION_PART[who], statements[start:end]


def test_a_thread_page_costs_the_same_whatever_the_course_size(course: Course) -> None:
    visit = course.cd.g.enter(course.learners[0])
    with counted(course.app) as statements:
        resp = course.app.test_client().get(
            f"/cd/{course.cd.activity}/threads/{course.thread}", query_string={"t": visit.token}
        )
    assert resp.status_code == 200
    assert "Where do we start?" in resp.get_data(as_text=True)  # the posts are shown
    assert len(statements) == THREAD_PAGE, (len(statements), statements)


# -- role-play with its groups published and rounds under way ------------------------------


@dataclass
class RolePlayCourse:
    """A role-play link whose groups are formed and published, with a scenario and a
    checklist, every group's rotation planned and the first round of the learner's
    group played (feedback given): the page as a class sees it mid-activity."""

    rp: Any
    learner: SandboxUser
    staff: Visit


@pytest.fixture(params=[4, 10], ids=["4-learners", "10-learners"])
def role_play_course(
    request: Any, services: None, lti: Any, app: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RolePlayCourse]:
    from tests.role_play.support import RolePlayDriver

    app.extensions["peerlift.store"] = make_store(REDIS_URL)
    _warm_registry_for_this_thread(monkeypatch)
    try:
        app.jinja_env.bytecode_cache = TEMPLATES
        learners = tuple(
            make_learner("rph", f"l{i:03d}", f"Player Number{i}") for i in range(request.param)
        )
        rp = RolePlayDriver(GroupingDriver(lti, app))
        staff = rp.setup(learners, group_size="3")
        rp.page(staff)  # the instructor's first look plans every group's rotation
        learner = learners[1]
        rp.play_round(rp.rounds_of(learner)[0])
        yield RolePlayCourse(rp, learner, staff)
    finally:
        registry.configure_cache(0)


#: What a role-play link with published groups costs (issue 17; it was 26 for a
#: learner's repeat launch and 33-36 for the instructor's, growing with the
#: groups: each member's person, and each group's members, were read one by one).
#: A learner's launch, 9:
#:   shared launch + page: person/course/enrolment/activity (1), notices (1),
#:     the analytics panel's setup (1);
#:   grouping (grouping/state.py, kept in flask.g for role-play's panel): intake,
#:     agreement in force, acceptance and group in force (1); the group's members
#:     with names, role titles and enrolment status (1);
#:   role-play: the group's rounds and those the learner plays as a replacement
#:     in another group, with seats and people and whether the learner completed
#:     the activity (1), checklist (1), scenarios (1), the rounds' ratings (1).
#: The page opened again with its token: the same (the actor lookup reads the
#: activity along, launch17).
#: An instructor's launch, 26: person/course/enrolment/activity and notices (2),
#: the analytics panel (9, one reading observer ratings); grouping: cohort
#: (roster, intakes, reporting lines: 3), agreement in force (1), who accepted it
#: (1), the draft and published rounds with how many were published (1), their
#: groups (1) and members with people (1), survey (1); role-play: checklist (1),
#: scenarios (1), the groups' rounds with seats and people (1), who is active (1),
#: every rating of the activity, for the groups and the skills summary (1),
#: completions (1).
ROLE_PLAY_PUBLISHED = {
    ("learner", "launch"): 9,
    ("learner", "page"): 9,
    ("instructor", "launch"): 26,
    ("instructor", "page"): 26,
}


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_a_published_role_play_costs_the_same_in_a_small_and_a_larger_course(
    role_play_course: RolePlayCourse, who: str
) -> None:
    c = role_play_course
    user = c.learner if who == "learner" else INSTRUCTOR
    c.rp.g.enter(user)  # a repeat launch: the one before warms the per-process caches
    with counted(c.rp.app) as launch:
        visit = c.rp.g.enter(user)
    assert "Round 1" in visit.html and "Player Number" in visit.html
    with counted(c.rp.app) as page:
        resp = c.rp.app.test_client().get(f"/a/{c.rp.activity}", query_string={"t": visit.token})
    assert resp.status_code == 200
    assert (len(launch), len(page)) == (
        ROLE_PLAY_PUBLISHED[(who, "launch")],
        ROLE_PLAY_PUBLISHED[(who, "page")],
    ), (launch, page)
