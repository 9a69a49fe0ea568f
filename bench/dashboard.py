"""The L&D dashboard at platform scale, on PostgreSQL: every chart's query.

Seeds (bulk inserts) one platform with ``--courses`` courses (default 100) of
``--learners`` learners in all (default 20,000) plus an instructor per course;
each course has a journal activity with pre/post checks and a peer-review
activity. The activity rollups are then caught up once (timed: the periodic sweep
does this as events arrive). ``--events`` events in all (default 1,000,000): journal entries make
up what the other sources (checks, feedback survey, check-ins answered,
submissions, reviews) leave, spread over 26 weeks.

Then measures, in this process, each query behind a chart of the dashboard —
participation (learners, each person's first/last activity), weekly active
learners, learning (pre/post records and cohort statistics), satisfaction,
transfer, the interaction network, reviewer reliability, the programme's
per-course table — for one course (``--runs`` random courses) and for the whole
platform (every course), then the full dashboard page through the Flask test
client. Prints p50/p95/max per query. Target: every chart's query p95 < 300 ms.

Usage: ``.venv/bin/python -m bench.dashboard [--courses 100] [--learners 20000]
[--events 1000000] [--runs 20] [--check]``. Needs PostgreSQL on 127.0.0.1:5432
(database ``peerlift_bench_dashboard``, wiped). Exit status: 0 when it ran, 1 with
``--check`` when a target is missed, 2 when it could not run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bench.services import bench_platform, production_app

TARGET_P95_MS = 300.0
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/peerlift_bench_dashboard"
WEEKS = 26
CHUNK = 20_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench.dashboard", description=__doc__.split("\n")[0])
    p.add_argument("--courses", type=int, default=100)
    p.add_argument("--learners", type=int, default=20_000)
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--check", action="store_true")
    return p.parse_args(argv)


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    from lti_app.extensions import db

    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start : start + CHUNK])


def seed(app: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The platform, its courses, people, activities and events (bulk inserts)."""
    from sqlalchemy import select

    from lti_app.analytics.models import AnalyticsFeedback, AnalyticsResponse
    from lti_app.courses.models import Course, Enrolment, Person
    from lti_app.db import new_public_id
    from lti_app.extensions import db
    from lti_app.peer_activities.journal.models import JournalCheckin, JournalEntry
    from lti_app.peer_activities.models import Activity
    from lti_app.peer_activities.peer_review.models import (
        PeerReviewReview,
        PeerReviewSubmission,
    )

    rng = random.Random(args.seed)
    started = time.perf_counter()
    now = datetime.utcnow().replace(microsecond=0)
    start = now - timedelta(weeks=WEEKS)

    def when() -> datetime:
        return start + timedelta(seconds=rng.randrange(WEEKS * 7 * 86400))

    with app.app_context():
        reg, dep = bench_platform()
        _insert(
            Course,
            [
                {
                    "registration_id": reg.id,
                    "deployment_id": dep.id,
                    "context_id": f"c{c}",
                    "title": f"Course {c + 1:03d}",
                    "public_id": new_public_id(),
                }
                for c in range(args.courses)
            ],
        )
        courses = list(db.session.scalars(select(Course.id).order_by(Course.id)))
        _insert(
            Activity,
            [
                {
                    "registration_id": reg.id,
                    "deployment_id": dep.id,
                    "course_id": cid,
                    "resource_link_id": f"{kind}-{cid}",
                    "activity_type": kind,
                    "title": kind,
                    "settings": {},
                    "public_id": new_public_id(),
                }
                for cid in courses
                for kind in ("journal", "peer_review")
            ],
        )
        acts = {
            (cid, kind): aid
            for aid, cid, kind in db.session.execute(
                select(Activity.id, Activity.course_id, Activity.activity_type)
            )
        }
        _insert(
            Person,
            [
                {
                    "registration_id": reg.id,
                    "sub": f"l{i}",
                    "name": f"Learner {i}",
                    "public_id": new_public_id(),
                }
                for i in range(args.learners)
            ]
            + [
                {
                    "registration_id": reg.id,
                    "sub": f"t{c}",
                    "name": f"Teacher {c}",
                    "public_id": new_public_id(),
                }
                for c in range(args.courses)
            ],
        )
        ids = {sub: pid for pid, sub in db.session.execute(select(Person.id, Person.sub))}
        per_course = max(1, args.learners // args.courses)
        members: dict[int, list[int]] = {cid: [] for cid in courses}
        enrol = []
        for i in range(args.learners):
            cid = courses[min(len(courses) - 1, i // per_course)]
            members[cid].append(ids[f"l{i}"])
            enrol.append(
                {
                    "course_id": cid,
                    "person_id": ids[f"l{i}"],
                    "roles": ["learner"],
                    "status": "active",
                    "last_launch_at": when(),
                }
            )
        enrol += [
            {
                "course_id": cid,
                "person_id": ids[f"t{c}"],
                "roles": ["instructor"],
                "status": "active",
                "last_launch_at": now,
            }
            for c, cid in enumerate(courses)
        ]
        _insert(Enrolment, enrol)

        events = 0
        responses, feedback, checkins, subs = [], [], [], []
        for cid, people in members.items():
            journal, review = acts[(cid, "journal")], acts[(cid, "peer_review")]
            for pid in people:
                pre = rng.randrange(11) if rng.random() < 0.9 else None
                post = (
                    max(0, min(10, (pre or 4) + rng.randrange(-2, 6)))
                    if rng.random() < 0.8
                    else None
                )
                for phase, score in (("pre", pre), ("post", post)):
                    if score is not None:
                        responses.append(
                            {
                                "activity_id": journal,
                                "person_id": pid,
                                "phase": phase,
                                "answers": {},
                                "score": float(score),
                                "maximum": 10.0,
                                "self_mean": 3.0,
                                "submitted_at": when(),
                            }
                        )
                if rng.random() < 0.6:
                    feedback.append(
                        {
                            "activity_id": journal,
                            "person_id": pid,
                            "satisfaction": rng.randrange(11),
                            "relevance": rng.randrange(1, 6),
                            "confidence": rng.randrange(1, 6),
                            "valued": "Practice",
                            "submitted_at": when(),
                        }
                    )
                for day in (30, 60, 90):
                    answered = rng.random() < 0.5
                    checkins.append(
                        {
                            "activity_id": journal,
                            "person_id": pid,
                            "day": day,
                            "due_at": when(),
                            "status": "answered" if answered else "pending",
                            "answered_at": when() if answered else None,
                            "public_id": new_public_id(),
                        }
                    )
                subs.append(
                    {
                        "activity_id": review,
                        "author_id": pid,
                        "body": "My draft",
                        "submitted_at": when(),
                        "public_id": new_public_id(),
                    }
                )
        _insert(AnalyticsResponse, responses)
        _insert(AnalyticsFeedback, feedback)
        _insert(JournalCheckin, checkins)
        _insert(PeerReviewSubmission, subs)
        events += (
            len(responses)
            + len(feedback)
            + len(subs)
            + sum(1 for c in checkins if c["answered_at"])
        )
        sub_of = {
            (aid, author): sid
            for sid, aid, author in db.session.execute(
                select(
                    PeerReviewSubmission.id,
                    PeerReviewSubmission.activity_id,
                    PeerReviewSubmission.author_id,
                )
            )
        }
        reviews = []
        for cid, people in members.items():
            review = acts[(cid, "peer_review")]
            for index, author in enumerate(people):
                for k in (1, 2, 3):
                    reviewer = people[(index + k) % len(people)]
                    if reviewer == author:
                        continue
                    reviews.append(
                        {
                            "activity_id": review,
                            "submission_id": sub_of[(review, author)],
                            "reviewer_id": reviewer,
                            "author_id": author,
                            "status": "done",
                            "scores": {},
                            "total": float(rng.randrange(5, 21)),
                            "completed_at": when(),
                            "public_id": new_public_id(),
                        }
                    )
        _insert(PeerReviewReview, reviews)
        events += len(reviews)
        entries = max(0, args.events - events)
        batch = []
        all_people = [(cid, pid) for cid, people in members.items() for pid in people]
        for n in range(entries):
            cid, pid = all_people[n % len(all_people)]
            at = when()
            batch.append(
                {
                    "activity_id": acts[(cid, "journal")],
                    "person_id": pid,
                    "responses": [],
                    "plain_text": "I tried it.",
                    "skills": [],
                    "shared_with_group": False,
                    "created_at": at,
                    "updated_at": at,
                    "public_id": new_public_id(),
                }
            )
            if len(batch) >= 100_000:
                _insert(JournalEntry, batch)
                batch = []
        _insert(JournalEntry, batch)
        events += entries
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        teachers = {cid: ids[f"t{c}"] for c, cid in enumerate(courses)}
        reg_id, dep_id = reg.id, dep.id
        db.session.remove()
    print(
        f"  seeded {args.courses} courses, {args.learners} learners, {events} events in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return {
        "reg": reg_id,
        "dep": dep_id,
        "courses": courses,
        "teachers": teachers,
        "events": events,
    }


def _stats(samples: list[float]) -> tuple[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(round(len(ordered) * 0.95)) - 1)]
    return (
        f"p50 {statistics.median(ordered):7.1f}  p95 {p95:7.1f}  max {ordered[-1]:7.1f} ms",
        p95,
    )


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _sections(
    d: Any, scope: Any, ids: list[int], people: Any, others: set[int], span: Any
) -> dict[str, Callable[[], Any]]:
    """Each chart's query of the dashboard module, ready to time (as ``build`` runs
    them for this scope)."""
    found: dict[str, Callable[[], Any]] = {
        "rollup refresh (nothing new)": lambda: d.rollup.refresh(),
        "learners (funnel, turnover)": lambda: d.roster(scope),
        "first/last activity (funnel, survival)": lambda: d.person_span(scope, ids),
        "weekly active learners": lambda: d.weekly_active(ids, others),
        "learning (slopegraph, c, scatter)": lambda: d.learning(scope, ids, people),
        "satisfaction (NPS, ratings)": lambda: d.satisfaction(ids, people, with_comments=True),
        "transfer (check-ins)": lambda: d.transfer(ids, people),
        "interaction network": lambda: d.interactions(ids),
        "reviewer reliability": lambda: d.reliability(ids),
        "turnover (drop-outs)": lambda: d._turnover(scope, people, span),
        "whole dashboard (all sections)": lambda: d.build(scope),
    }
    if not scope.single_course:  # the programme view draws no network (names stay home)
        del found["interaction network"]
    return found


def catch_up(app: Any) -> float:
    """The first rollup refresh folds every seeded event (what the sweep does over
    time as events arrive); returns its seconds."""
    from lti_app.analytics import rollup
    from lti_app.extensions import db

    with app.app_context():
        started = time.perf_counter()
        folded = rollup.refresh()
        db.session.commit()
        elapsed = time.perf_counter() - started
        db.session.remove()
    print(f"  rollup catch-up: {folded} events folded in {elapsed:.1f} s")
    return elapsed


def measure_queries(
    app: Any, seeded: dict[str, Any], args: argparse.Namespace
) -> dict[str, dict[str, list[float]]]:
    """Each chart's query, for random courses and for the whole platform."""
    from lti_app.analytics import dashboard as d
    from lti_app.courses.models import Course
    from lti_app.extensions import db

    rng = random.Random(args.seed + 1)
    found: dict[str, dict[str, list[float]]] = {"course": {}, "programme": {}}
    with app.app_context():
        for which, runs in (("course", args.runs), ("programme", max(5, args.runs // 2))):
            for n in range(runs + 2):
                if which == "course":
                    course = db.session.get(Course, rng.choice(seeded["courses"]))
                    assert course is not None
                    scope = d.course_scope(course)
                else:
                    scope = d.programme_scope(seeded["reg"], seeded["dep"])
                ids = d._activity_ids(scope)
                people, others = d.roster(scope)
                span = d.person_span(scope, ids)
                timings = _sections(d, scope, ids, people, others, span)
                for name, fn in timings.items():
                    elapsed = _timed(fn)
                    if n >= 2:  # warm-up runs
                        found[which].setdefault(name, []).append(elapsed)
                db.session.remove()
    return found


def measure_pages(
    app: Any, seeded: dict[str, Any], args: argparse.Namespace
) -> dict[str, list[float]]:
    """The dashboard page itself (queries, charts, template) through the test client."""
    from lti_app.actor.session import issue_token
    from lti_app.courses.models import Course, Person
    from lti_app.domain.roles import RoleSet
    from lti_app.extensions import db
    from lti_app.lms.models import Deployment, Registration

    rng = random.Random(args.seed + 2)
    client = app.test_client()
    samples: dict[str, list[float]] = {"course page": [], "programme page": []}
    for which, runs in (("course", args.runs), ("programme", max(5, args.runs // 4))):
        for n in range(runs + 1):
            cid = rng.choice(seeded["courses"])
            with app.test_request_context():
                token = issue_token(
                    db.session.get(Registration, seeded["reg"]),
                    db.session.get(Deployment, seeded["dep"]),
                    db.session.get(Person, seeded["teachers"][cid]),
                    db.session.get(Course, cid),
                    RoleSet(frozenset({"instructor"})),
                )
                db.session.remove()
            started = time.perf_counter()
            resp = client.get(f"/an/{which}", query_string={"t": token})
            elapsed = (time.perf_counter() - started) * 1000
            assert resp.status_code == 200, resp.status_code
            if n >= 1:
                samples[f"{which} page"].append(elapsed)
    return samples


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = production_app("bench.dashboard", args.database_url, jobs_mode="off")
    if app is None:
        return 2
    print(
        f"L&D dashboard: {args.courses} courses, {args.learners} learners, "
        f"{args.events} events, PostgreSQL"
    )
    seeded = seed(app, args)
    catch_up(app)
    queries = measure_queries(app, seeded, args)
    ok = True
    for which, found in queries.items():
        print(f"  {which}:")
        for name, samples in found.items():
            line, p95 = _stats(samples)
            chart = not name.startswith("whole")
            ok = ok and (p95 < TARGET_P95_MS or not chart)
            print(f"    {name:<40} {line}{'' if p95 < TARGET_P95_MS else '  (over target)'}")
    for name, samples in measure_pages(app, seeded, args).items():
        print(f"  {name:<42} {_stats(samples)[0]}")
    print(f"  target every chart query p95 < {TARGET_P95_MS:g} ms: {'PASS' if ok else 'MISS'}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
