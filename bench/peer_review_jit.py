"""Just-in-time review allocation under concurrency, on PostgreSQL.

A peer-review activity with ``--learners`` learners who have all submitted; then
``--requests`` "open next review" calls (one per learner: the first review each
owes), ``--concurrency`` at a time, each in its own app context and database
session, exactly as the view runs it (``reviews.next_review`` then commit).
The calls are spread over ``--processes`` worker processes (default: one per
core, as gunicorn runs the tool), each with its share of the concurrency in
threads; the first wave starts together across all of them.
Prints p50/p95/max latency, the tool's CPU per call (the worker processes' CPU
time over the calls they served; PostgreSQL's own CPU is not in it) and SQL
statements per call, and checks, from the database afterwards: nobody got
their own work, nobody holds two leases, no submission has more than k live
reviews (no double assignment). Target: p95 < 100 ms with 0 violations.

Usage: ``.venv/bin/python -m bench.peer_review_jit [--requests 200] [--concurrency 16]
[--processes N] [--check]``. Needs PostgreSQL on 127.0.0.1:5432 (database
``peerlift_bench``, wiped).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.services import DEFAULT_PG, bench_platform, production_app

TARGET_P95_MS = 100.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench.peer_review_jit", description=__doc__.split("\n")[0])
    p.add_argument("--learners", type=int, default=200)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    p.add_argument("--k", type=int, default=3)
    p.add_argument("--database-url", default=DEFAULT_PG)
    p.add_argument("--check", action="store_true")
    return p.parse_args(argv)


def setup(app: Any, learners: int, k: int) -> tuple[int, list[int]]:
    from lti_app.courses.models import Course, Enrolment, Person
    from lti_app.extensions import db
    from lti_app.peer_activities.models import Activity
    from lti_app.peer_activities.peer_review.models import PeerReviewSubmission

    with app.app_context():
        reg, dep = bench_platform()
        course = Course(
            registration_id=reg.id, deployment_id=dep.id, context_id="c1", title="Bench course"
        )
        db.session.add(course)
        db.session.flush()
        activity = Activity(
            registration_id=reg.id,
            deployment_id=dep.id,
            course_id=course.id,
            resource_link_id="rl1",
            activity_type="peer_review",
            title="Bench review",
            settings={"reviews_per_submission": k},
        )
        db.session.add(activity)
        people = [
            Person(registration_id=reg.id, sub=f"l{i:05d}", name=f"Learner {i:05d}")
            for i in range(learners)
        ]
        db.session.add_all(people)
        db.session.flush()
        for person in people:
            db.session.add(Enrolment(course_id=course.id, person_id=person.id, roles=["learner"]))
            db.session.add(
                PeerReviewSubmission(
                    activity_id=activity.id,
                    author_id=person.id,
                    body=f"<p>Work of {person.name}</p>",
                )
            )
        db.session.commit()
        return activity.id, [p.id for p in people]


def open_next(app: Any, activity_id: int, person_id: int) -> float:
    from lti_app.courses.models import Person
    from lti_app.extensions import db
    from lti_app.peer_activities.models import Activity
    from lti_app.peer_activities.peer_review import reviews

    started = time.perf_counter()
    with app.app_context():
        try:
            activity = db.session.get(Activity, activity_id)
            person = db.session.get(Person, person_id)
            reviews.next_review(activity, person)
            db.session.commit()
        finally:
            db.session.remove()
    return (time.perf_counter() - started) * 1000


def violations(app: Any, activity_id: int, k: int) -> dict[str, int]:
    from sqlalchemy import select

    from lti_app.extensions import db
    from lti_app.peer_activities.peer_review.models import PeerReviewReview, PeerReviewSubmission

    with app.app_context():
        rows = db.session.execute(
            select(
                PeerReviewReview.reviewer_id,
                PeerReviewReview.submission_id,
                PeerReviewSubmission.author_id,
            )
            .join(PeerReviewSubmission, PeerReviewSubmission.id == PeerReviewReview.submission_id)
            .where(PeerReviewSubmission.activity_id == activity_id)
        ).all()
        per_reviewer = Counter(r.reviewer_id for r in rows)
        per_submission = Counter(r.submission_id for r in rows)
        return {
            "reviews": len(rows),
            "own_work": sum(1 for r in rows if r.reviewer_id == r.author_id),
            "two_leases": sum(1 for n in per_reviewer.values() if n > 1),
            "over_k": sum(1 for n in per_submission.values() if n > k),
        }


def _worker(activity_id: int, people: list[int], threads: int, gate: Any, results: Any) -> None:
    """One worker process: its own app and pool, ``threads`` requests at a time."""
    from lti_app import create_app

    app = create_app()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": threads + 2}
    with app.app_context():  # connect before the clock starts, as a warm worker would
        from lti_app.extensions import db

        with db.engine.connect():
            pass
    first = threading.Barrier(min(threads, len(people)) or 1)
    statements = [0]
    with app.app_context():
        from sqlalchemy import event

        from lti_app.extensions import db

        def _count(*_args: Any) -> None:
            statements[0] += 1  # under the GIL; exact enough for a per-call mean

        event.listen(db.engine, "before_cursor_execute", _count)

    def one(person_id: int, index: int) -> float:
        if index < threads:
            first.wait()
            if index == 0:
                gate.wait()  # every process's first wave starts together
        return open_next(app, activity_id, person_id)

    cpu = time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        latencies = list(pool.map(one, people, range(len(people))))
    results.put((latencies, statements[0], time.process_time() - cpu))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = production_app("bench.peer_review_jit", args.database_url, jobs_mode="thread")
    if app is None:
        return 2
    activity_id, people = setup(app, args.learners, args.k)
    from lti_app.extensions import db

    with app.app_context():
        db.engine.dispose()  # the workers open their own connections
    callers = people[: args.requests]
    procs = max(1, min(args.processes, args.concurrency))
    ctx = multiprocessing.get_context("fork")
    gate = ctx.Barrier(procs)
    shares = [callers[i::procs] for i in range(procs)]
    threads = [
        args.concurrency // procs + (1 if i < args.concurrency % procs else 0) for i in range(procs)
    ]
    started = time.perf_counter()
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(activity_id, share, n, gate, results))
        for share, n in zip(shares, threads, strict=True)
    ]
    for w in workers:
        w.start()
    parts = [results.get(timeout=600) for _ in workers]
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    latencies = [ms for part, _n, _cpu in parts for ms in part]
    n_statements = sum(n for _part, n, _cpu in parts)
    cpu_ms = 1000 * sum(cpu for _part, _n, cpu in parts)
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    found = violations(app, activity_id, args.k)
    print(
        f"peer review just-in-time: {len(callers)} 'open next review' requests on "
        f"{args.learners} submissions (k={args.k}), {args.concurrency} at a time in "
        f"{procs} worker process(es), PostgreSQL"
    )
    print(f"  wall {wall:.2f} s = {len(callers) / wall:.0f} requests/s")
    print(
        f"  latency p50 {statistics.median(latencies):.1f}  p95 {p95:.1f}  "
        f"max {latencies[-1]:.1f} ms"
    )
    print(
        f"  tool CPU {cpu_ms / len(callers):.1f} ms per call; "
        f"{n_statements / len(callers):.1f} SQL statements per call"
    )
    print(
        f"  reviews leased {found['reviews']}; own work {found['own_work']}, "
        f"two leases {found['two_leases']}, over k {found['over_k']}"
    )
    ok_latency = p95 < TARGET_P95_MS
    ok_rules = found["own_work"] == found["two_leases"] == found["over_k"] == 0 and found[
        "reviews"
    ] == len(callers)
    print(
        f"  target p95 < {TARGET_P95_MS:g} ms: {'PASS' if ok_latency else 'MISS'}; "
        f"no double assignment: {'PASS' if ok_rules else 'MISS'}"
    )
    with app.app_context():
        db.engine.dispose()
    return 1 if args.check and not (ok_latency and ok_rules) else 0


if __name__ == "__main__":
    raise SystemExit(main())
