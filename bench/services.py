"""Roster sync and grade delivery benchmark, on PostgreSQL, Redis and real Celery workers.

1. starts the services LMS (bench/services_platform.py, its own process) with a
   course of ``--members`` learners, and serves the tool's JWKS from this process;
2. re-creates the database ``peerlift_bench`` and registers the platform;
3. **roster**: syncs the whole course in pages of ``--page-size`` (Canvas's cap is
   50) from this process; prints seconds and this process's peak RSS;
4. **grades**: puts one completion score per learner in the outbox, starts
   ``--workers`` Celery worker processes (Redis broker, ``--pool=solo``) and times
   until every score is marked sent; then checks the platform's log: every learner's
   score accepted exactly once, and how many token requests were made.

5. **send**: seeds the course's peer assessment (``--started`` of the learners
   submitted and reviewed 3 peers), then an instructor presses "Send grades"
   (HTTP ``POST /a/<id>/grades/send``): the request time, the time until every
   grade is in the LMS, the jobs sent to the broker and the token requests.

Usage: ``bench/services [--members 10000] [--workers 2] [--only roster|grades|send] [--check]``.
Exit status: 0 when it ran, 1 with ``--check`` when a target is missed, 2 when it
could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/peerlift_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
TARGET_ROSTER_S = 10.0
TARGET_ROSTER_RSS_MB = 200.0
TARGET_SCORES_PER_S = 300.0
#: "Send grades": the request answers within this, the grades are all in the LMS
#: within the other, and delivery takes at most this many jobs per 1,000 scores.
TARGET_SEND_REQUEST_S = 1.0
TARGET_SEND_TOTAL_S = 180.0
TARGET_SEND_JOBS_PER_1000 = 10


#: Session-signing secret of this run's tool processes (never used for anything else).
_SECRET = secrets.token_urlsafe(32)


class CannotRun(Exception):
    pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/services", description=__doc__.split("\n")[0])
    p.add_argument("--members", type=int, default=10_000)
    p.add_argument("--page-size", type=int, default=50)
    p.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    p.add_argument("--http-threads", type=int, default=8, help="parallel score requests per worker")
    p.add_argument("--batch", type=int, default=100, help="scores claimed per round")
    p.add_argument("--only", choices=("roster", "grades", "send"))
    p.add_argument(
        "--started",
        type=float,
        default=0.9,
        help="share of learners who took part in the peer assessment (send)",
    )
    p.add_argument("--database-url", default=DEFAULT_PG)
    p.add_argument("--redis-url", default=DEFAULT_REDIS)
    p.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return p.parse_args(argv)


def rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_database(url: str) -> None:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    admin, name = dsn.rsplit("/", 1)
    try:
        with psycopg.connect(admin + "/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        raise CannotRun(f"PostgreSQL is not reachable at {admin}: {exc}") from exc


def env_for(args: argparse.Namespace, queue: str) -> dict[str, str]:
    return dict(
        os.environ,
        PEERLIFT_ENV="production",
        PEERLIFT_BASE_URL="https://bench.test",
        PEERLIFT_SECRET_KEY=_SECRET,
        PEERLIFT_DATABASE_URL=args.database_url,
        PEERLIFT_REDIS_URL=args.redis_url,
        PEERLIFT_CELERY_QUEUE=queue,
        PEERLIFT_GRADES_BATCH=str(args.batch),
        PEERLIFT_GRADES_HTTP_THREADS=str(args.http_threads),
        PEERLIFT_LOG_LEVEL="WARNING",
    )


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.stack = contextlib.ExitStack()
        self.queue = f"peerlift-bench-{os.getpid()}"

    def __enter__(self) -> Bench:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stack.close()

    def start(self) -> None:
        import redis
        from werkzeug.serving import make_server

        try:
            redis.Redis.from_url(self.args.redis_url, socket_connect_timeout=3).flushdb()
        except redis.RedisError as exc:
            raise CannotRun(f"Redis is not reachable at {self.args.redis_url}: {exc}") from exc
        reset_database(self.args.database_url)
        os.environ.update(env_for(self.args, self.queue))
        from lti_app import create_app
        from lti_app.extensions import db
        from lti_app.lms import keys

        self.app = create_app()
        with self.app.app_context():
            db.create_all()
            keys.ensure_key()
            db.session.commit()
        server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        self.stack.callback(server.shutdown)
        tool_url = self.tool_url = f"http://127.0.0.1:{server.server_port}"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.services_platform",
                "--members",
                str(self.args.members),
                "--tool-url",
                tool_url,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.stack.callback(_stop, proc)
        line = proc.stdout.readline() if proc.stdout else ""
        if not line:
            raise CannotRun("the services platform did not start")
        self.platform = json.loads(line)
        self.platform_url = self.platform["issuer"]
        self._register()

    def _register(self) -> None:
        from lti_app.courses.models import Course
        from lti_app.extensions import db
        from lti_app.lms import registry
        from lti_app.lms.registry import PlatformSpec
        from lti_app.peer_activities.models import Activity
        from tests.support.lms_services import SCOPES_ALL

        p = self.platform
        with self.app.app_context():
            reg = registry.add_platform(
                PlatformSpec(
                    issuer=p["issuer"],
                    client_id=p["client_id"],
                    auth_login_url=p["issuer"] + "/auth",
                    auth_token_url=p["issuer"] + "/token",
                    jwks_url=p["issuer"] + "/jwks",
                    name="Bench LMS",
                ),
                [p["deployment_id"]],
            )
            dep = reg.deployments[0]
            api = f"{p['issuer']}/api/courses/{p['context_id']}"
            course = Course(
                registration_id=reg.id,
                deployment_id=dep.id,
                context_id=p["context_id"],
                title="Bench course",
                nrps_url=api + "/memberships",
                ags_lineitems_url=api + "/lineitems",
                ags_scopes=SCOPES_ALL,
            )
            db.session.add(course)
            db.session.flush()
            activity = Activity(
                registration_id=reg.id,
                deployment_id=dep.id,
                course_id=course.id,
                resource_link_id=p["link_id"],
                activity_type="peer_review",
                title="Bench activity",
                lineitem_url=p["lineitem_url"],
            )
            db.session.add(activity)
            db.session.commit()
            self.course_id, self.activity_id = course.id, activity.id

    # -- roster ----------------------------------------------------------------
    def roster(self) -> dict[str, Any]:
        from lti_app.courses import roster
        from lti_app.extensions import db

        self.app.config["ROSTER_PAGE_SIZE"] = self.args.page_size
        before = rss_mb()
        with self.app.app_context():
            started = time.perf_counter()
            report = roster.sync_roster(self.course_id)
            seconds = time.perf_counter() - started
            db.session.remove()
        return {
            "members": report.members,
            "pages": report.pages,
            "seconds": seconds,
            "members_per_s": report.members / seconds,
            "peak_rss_mb": rss_mb(),
            "rss_before_mb": before,
        }

    # -- grades ----------------------------------------------------------------
    def fill_outbox(self) -> int:
        """One pending completion score per learner, as activities would record them."""
        from sqlalchemy import insert, select

        from lti_app.courses.models import Enrolment
        from lti_app.db import utcnow
        from lti_app.extensions import db
        from lti_app.grades.models import Score
        from lti_app.grades.services import line_item_for
        from lti_app.peer_activities.models import Activity

        with self.app.app_context():
            activity = db.session.get(Activity, self.activity_id)
            item = line_item_for(activity, "completion")
            db.session.flush()
            people = list(
                db.session.scalars(
                    select(Enrolment.person_id).where(
                        Enrolment.course_id == self.course_id,
                        Enrolment.roles.cast(db.String).like('%"learner"%'),
                    )
                )
            )
            now = utcnow()
            rows = [
                {
                    "registration_id": item.registration_id,
                    "line_item_id": item.id,
                    "person_id": pid,
                    "score_given": float(i % 101),
                    "score_maximum": 100.0,
                    "comment": f"bench #{i}",
                    "activity_progress": "Completed",
                    "grading_progress": "FullyGraded",
                    "timestamp": now,
                    "version": 1,
                    "delivered_version": 0,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, pid in enumerate(people)
            ]
            db.session.execute(insert(Score), rows)
            db.session.commit()
            return len(rows)

    def sent(self) -> int:
        from sqlalchemy import func, select

        from lti_app.extensions import db
        from lti_app.grades.models import SENT, Score

        with self.app.app_context():
            count = db.session.scalar(select(func.count()).where(Score.status == SENT))
            db.session.remove()
            return int(count or 0)

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = requests.get(
            self.platform_url + "/__bench/stats", timeout=10
        ).json()
        return stats

    def start_workers(self) -> None:
        if getattr(self, "workers", None):
            return
        celery = str(Path(sys.executable).with_name("celery"))
        env = env_for(self.args, self.queue)
        self.workers = []
        for i in range(self.args.workers):
            log = open(ROOT / "bench" / "results" / f"worker-{i}.log", "wb")  # noqa: SIM115
            self.stack.callback(log.close)
            proc = subprocess.Popen(
                [
                    celery,
                    "-A",
                    "lti_app.worker:celery",
                    "worker",
                    "--pool=solo",
                    "-n",
                    f"bench{i}@%h",
                    "-Q",
                    self.queue,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self.stack.callback(_stop, proc)
            self.workers.append(proc)
        time.sleep(4.0)  # worker start-up is not delivery time

    def grades(self) -> dict[str, Any]:
        total = self.fill_outbox()
        tokens_before = self.stats()["token_requests"]
        self.start_workers()
        with self.app.app_context():
            from lti_app import jobs

            for _ in range(self.args.workers * 2):
                jobs.enqueue("grades.deliver")
        started = time.perf_counter()
        deadline = started + 600
        sent = 0
        while time.perf_counter() < deadline:
            sent = self.sent()
            if sent >= total:
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        stats = self.stats()
        return {
            "scores": total,
            "sent": sent,
            "seconds": seconds,
            "scores_per_s": sent / seconds if seconds else 0.0,
            "token_requests": stats["token_requests"] - tokens_before,
            "accepted": sum(stats["accepted"].values()),
            "learners_scored": sum(stats["users"].values()),
            "duplicates": sum(stats["duplicates"].values()),
        }

    # -- send grades -------------------------------------------------------------
    def jobs_sent(self) -> int:
        import redis

        from lti_app.jobs.runners import sent_counter_key

        counts = redis.Redis.from_url(self.args.redis_url).hgetall(sent_counter_key(self.queue))
        return sum(int(v) for v in counts.values())

    def send(self) -> dict[str, Any]:
        """An instructor presses "Send grades" for the whole course."""
        from sqlalchemy import func, select

        from lti_app.courses.models import Enrolment
        from lti_app.extensions import db
        from lti_app.grades.models import DONE, SENT, GradeSend, LineItem, Score
        from lti_app.peer_activities.models import Activity
        from tests.support.peer_seed import seed_peer_review, staff_token

        with self.app.app_context():
            learners = int(
                db.session.scalar(
                    select(func.count()).where(
                        Enrolment.course_id == self.course_id,
                        Enrolment.roles.cast(db.String).like('%"learner"%'),
                    )
                )
                or 0
            )
            seeded = seed_peer_review(self.activity_id, started=int(learners * self.args.started))
            token = staff_token(self.course_id)
            aid = db.session.get(Activity, self.activity_id).public_id
            db.session.remove()
        expected = 2 * len(seeded.starters)
        self.start_workers()
        tokens_before, jobs_before = self.stats()["token_requests"], self.jobs_sent()
        started = time.perf_counter()
        resp = requests.post(
            f"{self.tool_url}/a/{aid}/grades/send",
            data={"t": token, "non_starters": "leave"},
            allow_redirects=False,
            timeout=60,
        )
        request_s = time.perf_counter() - started
        if resp.status_code != 303:
            raise CannotRun(f"Send grades answered {resp.status_code}: {resp.text[:300]}")
        deadline = started + 900
        sent = 0
        run_s = None
        while time.perf_counter() < deadline:
            with self.app.app_context():
                run = db.session.scalar(select(GradeSend))
                if run_s is None and run is not None and run.status == DONE:
                    run_s = time.perf_counter() - started
                kinds = select(LineItem.id).where(LineItem.kind.in_(("submission", "reviewing")))
                sent = int(
                    db.session.scalar(
                        select(func.count()).where(
                            Score.status == SENT, Score.line_item_id.in_(kinds)
                        )
                    )
                    or 0
                )
                db.session.remove()
            if sent >= expected:
                break
            time.sleep(0.2)
        total_s = time.perf_counter() - started
        return {
            "learners": len(seeded.learners),
            "starters": len(seeded.starters),
            "expected": expected,
            "sent": sent,
            "request_s": request_s,
            "run_s": run_s,
            "total_s": total_s,
            "jobs": self.jobs_sent() - jobs_before,
            "token_requests": self.stats()["token_requests"] - tokens_before,
        }


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report_send(s: dict[str, Any]) -> int:
    """Print the "Send grades" figures; returns the number of missed targets."""
    run = f"{s['run_s']:.1f} s" if s["run_s"] is not None else "not finished"
    print(
        f"send grades: {s['learners']} learners ({s['starters']} took part): request "
        f"{s['request_s'] * 1000:.0f} ms; run done after {run}; {s['sent']}/{s['expected']} "
        f"grades in the LMS after {s['total_s']:.1f} s; {s['jobs']} jobs sent to the "
        f"broker; {s['token_requests']} token requests"
    )
    per_1000 = s["jobs"] / max(1, s["expected"]) * 1000
    checks = {
        f"request < {TARGET_SEND_REQUEST_S:g} s": s["request_s"] < TARGET_SEND_REQUEST_S,
        f"all in the LMS < {TARGET_SEND_TOTAL_S:g} s": s["sent"] >= s["expected"]
        and s["total_s"] < TARGET_SEND_TOTAL_S,
        f"<= {TARGET_SEND_JOBS_PER_1000} jobs per 1,000 grades ({per_1000:.1f})": per_1000
        <= TARGET_SEND_JOBS_PER_1000,
        "<= 3 token requests": s["token_requests"] <= 3,
    }
    print("  " + "; ".join(f"{name}: {verdict(ok)}" for name, ok in checks.items()))
    return sum(not ok for ok in checks.values())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    misses = 0
    try:
        with Bench(args) as bench:
            bench.start()
            r = bench.roster()
            print(
                f"roster: {r['members']} members in {r['pages']} pages of "
                f"{args.page_size}: {r['seconds']:.2f} s ({r['members_per_s']:.0f}/s), "
                f"peak RSS {r['peak_rss_mb']:.0f} MB (before the sync "
                f"{r['rss_before_mb']:.0f} MB)"
            )
            ok_time = r["seconds"] < TARGET_ROSTER_S
            ok_rss = r["peak_rss_mb"] < TARGET_ROSTER_RSS_MB
            print(
                f"  target < {TARGET_ROSTER_S:g} s: {verdict(ok_time)}; "
                f"target < {TARGET_ROSTER_RSS_MB:g} MB: {verdict(ok_rss)}"
            )
            misses += (not ok_time) + (not ok_rss)
            if args.only not in ("roster", "send"):
                g = bench.grades()
                print(
                    f"grades: {g['sent']}/{g['scores']} scores sent by {args.workers} "
                    f"workers in {g['seconds']:.2f} s = {g['scores_per_s']:.0f} scores/s; "
                    f"token requests during delivery: {g['token_requests']}; the LMS accepted "
                    f"{g['accepted']} for {g['learners_scored']} learners, "
                    f"{g['duplicates']} duplicates"
                )
                ok_rate = g["scores_per_s"] >= TARGET_SCORES_PER_S
                ok_tokens = g["token_requests"] == 1  # one registration, one token lifetime
                ok_all = g["learners_scored"] == g["scores"] and g["duplicates"] == 0
                print(
                    f"  target >= {TARGET_SCORES_PER_S:g} scores/s: {verdict(ok_rate)}; "
                    f"one token request: {verdict(ok_tokens)}; "
                    f"every score exactly once: {verdict(ok_all)}"
                )
                misses += (not ok_rate) + (not ok_tokens) + (not ok_all)
            if args.only not in ("roster", "grades"):
                misses += report_send(bench.send())
    except CannotRun as exc:
        print(f"bench/services: cannot run: {exc}", file=sys.stderr)
        return 2
    return 1 if (args.check and misses) else 0


if __name__ == "__main__":
    raise SystemExit(main())


def production_app(prog: str, database_url: str, *, jobs_mode: str = "thread") -> Any:
    """A production-configured app on a freshly wiped benchmark database, or None
    (after saying why) when PostgreSQL cannot be reached."""
    try:
        reset_database(database_url)
    except CannotRun as exc:
        print(f"{prog}: cannot run: {exc}", file=sys.stderr)
        return None
    os.environ.update(
        PEERLIFT_ENV="production",
        PEERLIFT_BASE_URL="https://bench.test",
        PEERLIFT_SECRET_KEY=secrets.token_urlsafe(32),
        PEERLIFT_DATABASE_URL=database_url,
        PEERLIFT_JOBS_MODE=jobs_mode,
        PEERLIFT_LOG_LEVEL="WARNING",
    )
    from lti_app import create_app

    return create_app()


def bench_platform() -> tuple[Any, Any]:
    """Inside an app context: the schema, the tool's key and one registered
    platform with one deployment; returns (registration, deployment)."""
    from lti_app.extensions import db
    from lti_app.lms import keys, registry
    from lti_app.lms.registry import PlatformSpec

    db.create_all()
    keys.ensure_key()
    lms = "https://lms.bench.test"
    reg = registry.add_platform(
        PlatformSpec(
            issuer=lms,
            client_id="bench",
            name="Bench",
            auth_login_url=lms + "/auth",
            auth_token_url=lms + "/token",
            jwks_url=lms + "/jwks",
        ),
        ["d1"],
    )
    return reg, reg.deployments[0]
