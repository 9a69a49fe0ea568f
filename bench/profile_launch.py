"""Where the tool spends CPU per launch: the launch flow in-process, timed and profiled.

Sets up exactly like ``bench/launch`` (platform server process, PostgreSQL + Redis or
``--sqlite``, migrated schema, registered platform, seeded activities), then drives
the tool's WSGI app in this process with the Flask test client: login → platform
auth (over HTTP to the platform process, not counted) → launch POST → page GET.

Two passes over the same kind of launch mix:

1. **timers** — selected project/library functions are wrapped to add up their
   inclusive CPU time (``time.process_time``); no profiler, so the milliseconds are
   close to real. Plus SQL statements and commits per launch.
2. **cProfile** — the top functions by cumulative and self CPU time (inflated by the
   profiler: compare shares, not absolutes).

Usage: ``.venv/bin/python -m bench.profile_launch [-n 200] [--sqlite] [--top 25]``.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import os
import pstats
import random
import re
import sys
import time
from collections import Counter, defaultdict
from operator import itemgetter
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.launch_load import CannotRun, Harness, _plan, _short
from bench.seed_work import kind_of

_INPUT = re.compile(r'<input type="hidden" name="(id_token|state)" value="([^"]*)">')


class Timers:
    """Inclusive CPU time per wrapped function (re-entrant calls counted once)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._depth: Counter[str] = Counter()
        self._undo: list[tuple[Any, str, Any]] = []
        self._dict_undo: list[tuple[dict[str, Any], str, Any]] = []
        self.enabled = False

    def wrap(self, owner: Any, attr: str, label: str | None = None) -> None:
        own = isinstance(owner, type) and attr in owner.__dict__
        original = owner.__dict__[attr] if own else getattr(owner, attr)
        func = original.__func__ if isinstance(original, staticmethod | classmethod) else original
        name = label or f"{getattr(owner, '__name__', owner)}.{attr}"

        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.enabled or self._depth[name]:
                return func(*args, **kwargs)
            self._depth[name] += 1
            start = time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                self.cpu[name] += time.process_time() - start
                self.calls[name] += 1
                self._depth[name] -= 1

        timed.__wrapped__ = func  # type: ignore[attr-defined]
        wrapped: Any = timed
        if isinstance(original, staticmethod):
            wrapped = staticmethod(timed)
        elif isinstance(original, classmethod):
            wrapped = classmethod(timed)
        self._undo.append((owner, attr, original if own or not isinstance(owner, type) else None))
        setattr(owner, attr, wrapped)

    def wrap_item(self, mapping: dict[str, Any], key: str, label: str) -> None:
        """Wrap a value of a dict (Flask's view_functions) the same way."""
        holder = type("Holder", (), {})()
        holder.fn = mapping[key]
        self.wrap(holder, "fn", label)
        self._undo.pop()
        original = mapping[key]
        mapping[key] = holder.fn
        self._dict_undo.append((mapping, key, original))

    def restore(self) -> None:
        for mapping, key, original in reversed(self._dict_undo):
            mapping[key] = original
        self._dict_undo.clear()
        for owner, attr, original in reversed(self._undo):
            if original is None:
                delattr(owner, attr)  # it was inherited
            else:
                setattr(owner, attr, original)
        self._undo.clear()


def instrument(timers: Timers, app: Any) -> None:
    """The functions whose cost the lead needs to see, grouped by step."""
    import itsdangerous
    import jwt
    import pylti1p3.message_launch as ml
    import requests
    from sqlalchemy.orm import Session

    import lti_app.actor.session as tool_session
    import lti_app.courses.services as courses
    import lti_app.launch.services as launch_services
    import lti_app.launch.state_store as state_store
    import lti_app.launch.validation as validation
    import lti_app.launch.views as views
    import lti_app.lms.platform_keys as platform_keys
    import lti_app.lms.registry as registry
    import lti_app.peer_activities.page as activity_page
    import lti_app.peer_activities.services as activities
    import lti_app.peer_activities.views as activity_views

    w = timers.wrap
    w(app, "wsgi_app", "app.wsgi_app (whole request)")
    for endpoint in ("launch.login", "launch.launch", "activities.show"):
        timers.wrap_item(app.view_functions, endpoint, f"view {endpoint}")
    # login
    w(launch_services, "start_login", "services.start_login")
    w(registry, "find_registration", "registry.find_registration")
    w(registry, "find_deployment", "registry.find_deployment")
    w(state_store.RedisStore, "put", "RedisStore.put")
    w(state_store.RedisStore, "take", "RedisStore.take")
    w(state_store.DbStore, "put", "DbStore.put")
    w(state_store.DbStore, "take", "DbStore.take")
    # launch validation
    w(launch_services, "validate_launch", "services.validate_launch")
    w(ml.MessageLaunch, "__init__", "pylti1p3 MessageLaunch.__init__")
    w(requests.Session, "__init__", "requests.Session.__init__")
    w(validation.PeerliftMessageLaunch, "_check_format", "validation._check_format")
    w(validation.PeerliftMessageLaunch, "_check_registration", "validation._check_registration")
    w(validation.PeerliftMessageLaunch, "_check_signature", "validation._check_signature")
    w(jwt, "decode", "jwt.decode (PyJWT)")
    w(platform_keys.PlatformKeyCache, "get", "PlatformKeyCache.get")
    w(
        validation.PeerliftMessageLaunch,
        "_check_state_and_nonce",
        "validation._check_state_and_nonce",
    )
    w(validation.PeerliftMessageLaunch, "_check_message", "validation._check_message")
    w(validation.PeerliftMessageLaunch, "_check_deployment", "validation._check_deployment")
    w(ml.MessageLaunch, "validate_message", "pylti1p3 validate_message")
    # recording
    w(views, "_enter", "views._enter")
    w(launch_services, "record", "services.record")
    w(launch_services, "record_launch", "courses.record_launch")
    w(courses, "upsert_person", "courses.upsert_person")
    w(courses, "upsert_course", "courses.upsert_course")
    w(courses, "_insert_or_get", "courses._insert_or_get")
    w(activities, "resolve_activity", "activities.resolve_activity")
    w(tool_session, "issue_token", "session.issue_token (every signature)")
    # page
    w(tool_session, "load_actor", "session.load_actor")
    w(activities, "get_activity", "activities.get_activity")
    w(itsdangerous.URLSafeTimedSerializer, "__init__", "itsdangerous serializer __init__")
    w(activity_views, "render_template", "render_template (activity page)")
    w(activity_page, "render_template", "render_template (page.render_activity: launch, page)")
    w(registry, "_revive", "registry._revive (cached row into the session)")
    # commit & request plumbing
    w(Session, "commit", "Session.commit")
    w(Session, "flush", "Session.flush")
    w(Session, "execute", "Session.execute")
    w(Session, "scalar", "Session.scalar")


def _platform_auth(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.request("GET", parts.path + "?" + parts.query)
        resp = conn.getresponse()
        page = resp.read().decode()
    finally:
        conn.close()
    if resp.status != 200:
        raise RuntimeError(f"platform /auth answered {resp.status}: {page[:200]}")
    import html

    return {k: html.unescape(v) for k, v in _INPUT.findall(page)}


def launch_once(app: Any, h: Harness, user: int, link: int, tool_cpu: list[float]) -> None:
    """One launch in a fresh browser (cookie jar); the CPU of the three tool requests
    is appended to ``tool_cpu``."""
    client = app.test_client()
    info = h.platform_info
    cpu = 0.0
    start = time.process_time()
    resp = client.post(
        "/lti/login",
        data={
            "iss": info["issuer"],
            "login_hint": f"u{user}",
            "target_link_uri": h.base_url + "/lti/launch",
            "client_id": info["client_id"],
            "lti_message_hint": f"l{link}",
            "lti_deployment_id": info["deployment_id"],
        },
    )
    cpu += time.process_time() - start
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    fields = _platform_auth(resp.headers["Location"])
    start = time.process_time()
    resp = client.post("/lti/launch", data=fields)
    cpu += time.process_time() - start
    if resp.status_code == 303:  # a launch answered with a redirect: follow it
        parts = urlsplit(resp.headers["Location"])
        start = time.process_time()
        resp = client.get(
            parts.path, query_string={k: v[0] for k, v in parse_qs(parts.query).items()}
        )
        cpu += time.process_time() - start
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    tool_cpu.append(cpu)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", "--launches", type=int, default=200)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--sqlite", action="store_true")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--dump", default=None, help="also write the cProfile stats to this file")
    p.add_argument("--users", type=int, default=500)
    p.add_argument("--links", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--first",
        type=int,
        default=50,
        help="first launches (learners not in the seed) counted separately (50)",
    )
    p.add_argument(
        "--bare-seed",
        action="store_true",
        help="configured activities only (default: bench/seed_work.py's "
        "realistic seed; its time grows with --users)",
    )
    p.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/peerlift_bench"
    )
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = p.parse_args(argv)
    args.port, args.keep_logs, args.profile, args.workers = 0, False, False, 1
    args.bare_seed = args.bare_seed or args.sqlite  # as bench/launch does
    rng = random.Random(args.seed)

    def plan(n: int) -> list[tuple[int, int]]:
        return _plan(args, n, rng)

    try:
        with Harness(args) as h:
            h.start_platform()
            h.prepare_database()
            h.setup_tool()
            os.environ.update(h.tool_env())
            from sqlalchemy import event

            from lti_app import create_app
            from lti_app.extensions import db

            app = create_app()
            statements: Counter[str] = Counter()
            counting = {"on": False}
            with app.app_context():
                engine = db.engine

            sent = [0]

            @event.listens_for(engine, "before_cursor_execute")
            def _count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
                sent[0] += 1
                if counting["on"]:
                    statements[" ".join(statement.split())[:110]] += 1

            def counted(user: int, link: int, into: dict[str, list[int]], cpu: list[float]) -> None:
                before = sent[0]
                launch_once(app, h, user, link, cpu)
                into.setdefault(kind_of(link), []).append(sent[0] - before)

            warm: list[float] = []
            for user, link in plan(args.warmup):
                launch_once(app, h, user, link, warm)

            # pass 0: plain (nothing wrapped): the in-process CPU per launch
            plain: list[float] = []
            for user, link in plan(args.launches):
                launch_once(app, h, user, link, plain)

            # pass 1: timers
            timers = Timers()
            instrument(timers, app)
            timers.enabled = counting["on"] = True
            timed: list[float] = []
            repeat: dict[str, list[int]] = {}
            for user, link in plan(args.launches):
                counted(user, link, repeat, timed)
            timers.enabled = counting["on"] = False
            timers.restore()

            # first launches: learners the seed never saw (person and enrolment created)
            first: dict[str, list[int]] = {}
            base = -(-args.users // 4) * 4  # past the seeded learners, same course as user
            for k, (user, link) in enumerate(plan(args.first)):
                counted(base + 4 * k + user % 4, link, first, [])

            # pass 2: cProfile, switched on only inside the tool's WSGI app
            prof = cProfile.Profile(time.process_time)
            inner = app.wsgi_app

            def profiled_app(environ: Any, start_response: Any) -> Any:
                prof.enable()
                try:
                    return list(inner(environ, start_response))
                finally:
                    prof.disable()

            app.wsgi_app = profiled_app  # type: ignore[method-assign]
            profiled: list[float] = []
            for user, link in plan(args.launches):
                launch_once(app, h, user, link, profiled)
            app.wsgi_app = inner  # type: ignore[method-assign]
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    except CannotRun as exc:
        print(f"profile: cannot run: {exc}", file=sys.stderr)
        return 2

    n = args.launches
    backend = "sqlite" if args.sqlite else "postgresql+redis"
    print(f"\nIn-process launch profile ({backend}, {n} launches per pass, Flask test client)")
    print(
        f"  tool CPU per launch, nothing wrapped: {sum(plain) / n * 1000:.2f} ms "
        "(3 requests, test-client overhead included)"
    )
    print(f"  with timers:                          {sum(timed) / n * 1000:.2f} ms")
    print("\n  inclusive CPU ms per launch (timers; nested rows are part of their parents)")
    print(f"    {'ms':>7} {'calls':>6}  function")
    for name, secs in sorted(timers.cpu.items(), key=lambda kv: kv[1], reverse=True):
        print(f"    {secs / n * 1000:7.3f} {timers.calls[name] / n:6.1f}  {name}")
    total_sql = sum(statements.values())
    print(
        f"\n  SQL statements per launch: {total_sql / n:.1f} "
        "(login + launch answered with the page, + page GET if redirected)"
    )
    for title, found in (("repeat", repeat), ("first", first)):
        every = [c for counts in found.values() for c in counts]
        if every:
            print(
                f"    {title:<7} all {sum(every) / len(every):5.1f}  "
                + "  ".join(
                    f"{kind} {sum(c) / len(c):.1f} (n={len(c)}, {min(c)}–{max(c)})"
                    for kind, c in sorted(found.items())
                )
            )
    for stmt, count in statements.most_common(30):
        print(f"    {count / n:5.2f}  {stmt}")

    stats = pstats.Stats(prof)
    if args.dump:
        stats.dump_stats(args.dump)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in raw.items():
        where = f"{_short(filename)}:{line}({func})" if line else func
        rows.append((ct * 1000 / n, tt * 1000 / n, nc / n, where))
    total = sum(r[1] for r in rows)
    print(
        f"\n  cProfile: {total:.2f} ms CPU per launch under the profiler (the tool's WSGI app only)"
    )
    sort_keys: tuple[tuple[int, str], ...] = ((0, "cumulative"), (1, "self"))
    for idx, title in sort_keys:
        print(f"\n  top {args.top} by {title}")
        print(f"    {'cum ms':>7} {'self ms':>7} {'calls':>7}  function")
        for ct, tt, nc, where in sorted(rows, key=itemgetter(idx), reverse=True)[: args.top]:
            print(f"    {ct:7.3f} {tt:7.3f} {nc:7.1f}  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
