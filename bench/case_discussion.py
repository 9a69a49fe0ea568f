"""Case discussion at course scale, on PostgreSQL: thread pages and participation.

Seeds (bulk inserts) a course with ``--groups`` groups of ``--size`` learners in a
published grouping of one case-discussion activity, every learner having accepted
the group agreement, and ``--posts`` posts spread over ``--threads`` threads per
group. Then measures, in this process:

* **thread page**: ``--requests`` GETs of a learner's own group's thread page
  through the Flask test client (scoping, access check, the newest 50 posts with
  mentions and reactions, template render, commit of the "mentions seen" mark);
* **polling**: the same number of "anything new?" calls to the thread's JSON
  endpoint, with an up-to-date cursor (the common case);
* **participation**: the facilitator's query (posts per member, latest post) for
  every group.

Prints p50/p95/max per measure. Target: thread page p95 < 80 ms.

Usage: ``.venv/bin/python -m bench.case_discussion [--groups 50] [--size 8]
[--posts 20000] [--requests 300] [--check]``. Needs PostgreSQL on 127.0.0.1:5432
(database ``peerlift_bench``, wiped). Exit status: 0 when it ran, 1 with
``--check`` when the target is missed, 2 when it could not run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from typing import Any

from bench.services import DEFAULT_PG, bench_platform, production_app

TARGET_P95_MS = 80.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench.case_discussion", description=__doc__.split("\n")[0])
    p.add_argument("--groups", type=int, default=50)
    p.add_argument("--size", type=int, default=8)
    p.add_argument("--threads", type=int, default=5, help="threads per group")
    p.add_argument("--posts", type=int, default=20_000)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--database-url", default=DEFAULT_PG)
    p.add_argument("--check", action="store_true")
    return p.parse_args(argv)


def _pid() -> str:
    from lti_app.db import new_public_id

    return new_public_id()


def seed(app: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The course, its people, groups, threads and posts (bulk inserts)."""
    from sqlalchemy import insert, select

    from lti_app.courses.models import Course, Enrolment, Person
    from lti_app.extensions import db
    from lti_app.peer_activities.case_discussion.models import (
        CaseDiscussionCase,
        CaseDiscussionPost,
        CaseDiscussionReaction,
        CaseDiscussionThread,
    )
    from lti_app.peer_activities.grouping.models import (
        GroupingAcceptance,
        GroupingGroup,
        GroupingMember,
        GroupingRound,
    )
    from lti_app.peer_activities.models import Activity

    rng = random.Random(args.seed)
    started = time.perf_counter()
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
            activity_type="case_discussion",
            title="Budget freeze",
            settings={"mode": "case", "group_size": args.size},
        )
        db.session.add(activity)
        db.session.flush()
        db.session.add(
            CaseDiscussionCase(
                activity_id=activity.id,
                title="The budget freeze",
                body="<p>Your unit's budget is frozen.</p>",
                links=[],
            )
        )
        n_people = args.groups * args.size
        db.session.execute(
            insert(Person),
            [
                {
                    "registration_id": reg.id,
                    "sub": f"l{i:05d}",
                    "name": f"Learner {i:05d}",
                    "given_name": f"L{i:05d}",
                    "public_id": _pid(),
                }
                for i in range(n_people)
            ],
        )
        people = list(
            db.session.execute(
                select(Person.id, Person.public_id)
                .where(Person.registration_id == reg.id)
                .order_by(Person.id)
            ).all()
        )
        db.session.execute(
            insert(Enrolment),
            [{"course_id": course.id, "person_id": pid, "roles": ["learner"]} for pid, _ in people],
        )
        db.session.execute(
            insert(GroupingAcceptance),
            [{"course_id": course.id, "person_id": pid, "version": 1} for pid, _ in people],
        )
        rnd = GroupingRound(
            activity_id=activity.id,
            course_id=course.id,
            number=1,
            status="published",
            published_at=datetime.utcnow(),
        )
        db.session.add(rnd)
        db.session.flush()
        db.session.execute(
            insert(GroupingGroup),
            [
                {
                    "round_id": rnd.id,
                    "position": g + 1,
                    "public_id": _pid(),
                    "reasons": [],
                    "violations": [],
                }
                for g in range(args.groups)
            ],
        )
        groups = list(
            db.session.scalars(
                select(GroupingGroup.id)
                .where(GroupingGroup.round_id == rnd.id)
                .order_by(GroupingGroup.position)
            )
        )
        members: dict[int, list[int]] = {}
        rows = []
        for index, (pid, _) in enumerate(people):
            gid = groups[index // args.size]
            members.setdefault(gid, []).append(pid)
            rows.append({"round_id": rnd.id, "group_id": gid, "person_id": pid})
        db.session.execute(insert(GroupingMember), rows)
        base = datetime.utcnow() - timedelta(days=10)
        db.session.execute(
            insert(CaseDiscussionThread),
            [
                {
                    "activity_id": activity.id,
                    "group_id": gid,
                    "title": f"Thread {t + 1}",
                    "author_id": members[gid][t % args.size],
                    "public_id": _pid(),
                    "created_at": base,
                    "last_post_at": base,
                    "locked": False,
                    "revision": 0,
                    "post_count": 0,
                }
                for gid in groups
                for t in range(args.threads)
            ],
        )
        threads = list(
            db.session.execute(select(CaseDiscussionThread.id, CaseDiscussionThread.group_id)).all()
        )
        per_thread = max(1, args.posts // len(threads))
        body = (
            "<p>An idea about the budget: we could pause hiring, share staff across "
            "teams, and ask finance for a phased plan. <strong>What do you think?</strong>"
            "</p>"
        )
        posts = []
        for tid, gid in threads:
            for n in range(per_thread):
                when = base + timedelta(minutes=n)
                posts.append(
                    {
                        "thread_id": tid,
                        "activity_id": activity.id,
                        "group_id": gid,
                        "author_id": rng.choice(members[gid]),
                        "body": body,
                        "revision": n + 1,
                        "helped_count": 0,
                        "hidden": False,
                        "public_id": _pid(),
                        "created_at": when,
                        "updated_at": when,
                    }
                )
        for chunk in range(0, len(posts), 5000):
            db.session.execute(insert(CaseDiscussionPost), posts[chunk : chunk + 5000])
        db.session.execute(
            CaseDiscussionThread.__table__.update().values(
                revision=per_thread,
                post_count=per_thread,
                last_post_at=base + timedelta(minutes=per_thread),
            )
        )
        # Some "this helped" marks on the newest posts.
        newest = list(
            db.session.execute(
                select(CaseDiscussionPost.id, CaseDiscussionPost.group_id)
                .order_by(CaseDiscussionPost.id.desc())
                .limit(2000)
            ).all()
        )
        db.session.execute(
            insert(CaseDiscussionReaction),
            [{"post_id": post_id, "person_id": members[gid][0]} for post_id, gid in newest],
        )
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        thread_public = dict(
            db.session.execute(
                select(CaseDiscussionThread.group_id, CaseDiscussionThread.public_id)
            ).all()
        )
        by_group = {}
        for gid, public in db.session.execute(
            select(CaseDiscussionThread.group_id, CaseDiscussionThread.public_id)
        ).all():
            by_group.setdefault(gid, []).append(public)
        total = db.session.scalar(select(db.func.count(CaseDiscussionPost.id)))
        seeded = {
            "activity": activity.public_id,
            "activity_id": activity.id,
            "reg": reg.id,
            "dep": dep.id,
            "course": course.id,
            "groups": groups,
            "members": members,
            "threads": by_group,
            "posts": total,
            "per_thread": per_thread,
            "thread_public": thread_public,
        }
    print(
        f"  seeded {n_people} learners in {args.groups} groups, {len(threads)} threads, "
        f"{seeded['posts']} posts in {time.perf_counter() - started:.1f} s"
    )
    return seeded


def _token(app: Any, seeded: dict[str, Any], person_id: int, *, staff: bool = False) -> str:
    from lti_app.actor.session import issue_token
    from lti_app.courses.models import Course, Person
    from lti_app.domain.roles import RoleSet
    from lti_app.extensions import db
    from lti_app.lms.models import Deployment, Registration

    with app.test_request_context():
        token = issue_token(
            db.session.get(Registration, seeded["reg"]),
            db.session.get(Deployment, seeded["dep"]),
            db.session.get(Person, person_id),
            db.session.get(Course, seeded["course"]),
            RoleSet(frozenset({"instructor" if staff else "learner"})),
        )
        db.session.remove()
        return token


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"p50 {statistics.median(ordered):.1f}  p95 {p95:.1f}  max {ordered[-1]:.1f} ms "
        f"({len(ordered)} requests)"
    )


def measure_pages(
    app: Any, seeded: dict[str, Any], args: argparse.Namespace
) -> tuple[list[float], list[float]]:
    rng = random.Random(args.seed + 1)
    client = app.test_client()
    learners = [(gid, pid) for gid, pids in seeded["members"].items() for pid in pids]
    tokens: dict[int, str] = {}
    pages: list[float] = []
    polls: list[float] = []
    for n in range(args.requests + 20):
        gid, pid = rng.choice(learners)
        token = tokens.get(pid) or tokens.setdefault(pid, _token(app, seeded, pid))
        thread = rng.choice(seeded["threads"][gid])
        url = f"/cd/{seeded['activity']}/threads/{thread}"
        started = time.perf_counter()
        resp = client.get(url, query_string={"t": token})
        elapsed = (time.perf_counter() - started) * 1000
        assert resp.status_code == 200, resp.status_code
        assert resp.data.count(b' data-post="') == min(50, seeded["per_thread"])
        if n >= 20:  # the first requests warm caches and the pool
            pages.append(elapsed)
        started = time.perf_counter()
        resp = client.get(
            url + "/updates", query_string={"t": token, "since": str(seeded["per_thread"])}
        )
        elapsed = (time.perf_counter() - started) * 1000
        assert resp.status_code == 200 and resp.get_json()["posts"] == []
        if n >= 20:
            polls.append(elapsed)
    return pages, polls


def measure_overview(app: Any, seeded: dict[str, Any], runs: int = 20) -> list[float]:
    """The instructor's activity page: every group's participation and summary."""
    from sqlalchemy import select

    from lti_app.courses.models import Person
    from lti_app.extensions import db

    with app.app_context():
        teacher = Person(registration_id=seeded["reg"], sub="teacher", name="Teacher")
        db.session.add(teacher)
        db.session.commit()
        teacher_id = db.session.scalar(select(Person.id).where(Person.sub == "teacher"))
        db.session.remove()
    token = _token(app, seeded, teacher_id, staff=True)
    client = app.test_client()
    samples = []
    for n in range(runs + 3):
        started = time.perf_counter()
        resp = client.get(f"/a/{seeded['activity']}", query_string={"t": token})
        elapsed = (time.perf_counter() - started) * 1000
        assert resp.status_code == 200 and resp.data.count(b'class="cd-group-row"') == len(
            seeded["groups"]
        )
        if n >= 3:
            samples.append(elapsed)
    return samples


def measure_participation(app: Any, seeded: dict[str, Any]) -> list[float]:
    from lti_app.extensions import db
    from lti_app.peer_activities.case_discussion import lookups
    from lti_app.peer_activities.grouping.models import GroupingGroup

    samples: list[float] = []
    with app.app_context():
        for gid in seeded["groups"]:
            group = db.session.get(GroupingGroup, gid)
            assert group is not None
            _ = [m.person.display_name for m in group.members]  # as the page has them
            started = time.perf_counter()
            rows = lookups.participation(group)
            samples.append((time.perf_counter() - started) * 1000)
            assert sum(r.posts for r in rows) == seeded["per_thread"] * len(seeded["threads"][gid])
        db.session.remove()
    return samples


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app = production_app("bench.case_discussion", args.database_url, jobs_mode="thread")
    if app is None:
        return 2
    print(f"case discussion: {args.groups} groups of {args.size}, {args.posts} posts, PostgreSQL")
    seeded = seed(app, args)
    pages, polls = measure_pages(app, seeded, args)
    participation = measure_participation(app, seeded)
    overview = measure_overview(app, seeded)
    print(f"  thread page (newest 50 posts)   {_stats(pages)}")
    print(f"  polling, nothing new            {_stats(polls)}")
    print(f"  participation query per group   {_stats(participation)}")
    print(f"  instructor page, all groups     {_stats(overview)}")
    ok = sorted(pages)[max(0, int(len(pages) * 0.95) - 1)] < TARGET_P95_MS
    print(f"  target thread page p95 < {TARGET_P95_MS:g} ms: {'PASS' if ok else 'MISS'}")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
