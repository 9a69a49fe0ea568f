"""Cohort load: one course's learners all launch within a minute and do their first
action, against the tool as production runs it (gunicorn + PostgreSQL + Redis).

Every learner (a fresh simulated browser) arrives at an evenly spaced moment in
``--window`` seconds, launches the course's peer-review activity over real LTI
(login → platform auth → launch, answered with the activity page) and then does
what a learner does first there: hands in their work (the page's own form, with
the session token it carries). Prints throughput, p50/p95/max of the launch and
of the first action, and every error by step. Targets: zero errors, p95 < 500 ms
for both.

Usage: ``.venv/bin/python -m bench.cohort [--learners 500] [--window 60]
[--workers N] [--check]``. Needs PostgreSQL and Redis on this machine (the
benchmark database ``peerlift_bench`` and Redis db 14 are wiped).
"""

from __future__ import annotations

import argparse
import html
import math
import multiprocessing
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from bench.launch_load import (
    BROWSERS,
    DEFAULT_PG,
    DEFAULT_REDIS,
    NETWORK_ERRORS,
    CannotRun,
    Harness,
    one_launch,
    pct,
)

TARGET_P95_MS = 500.0
#: The seeded links rotate over the activity types; link 1 is the peer review.
PEER_REVIEW_LINK = 1
_SUBMIT = re.compile(
    r'<form method="post" action="([^"]*/submission)"[^>]*>\s*'
    r'<input type="hidden" name="t" value="([^"]*)">'
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench.cohort", description=__doc__.split("\n\n")[0])
    p.add_argument("--learners", type=int, default=500)
    p.add_argument(
        "--window", type=float, default=60.0, help="seconds over which the learners arrive (60)"
    )
    p.add_argument(
        "--concurrency", type=int, default=64, help="most browsers in flight at once (64)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=2 * multiprocessing.cpu_count() + 1,
        help="gunicorn workers (2 x cores + 1, as config/gunicorn.py)",
    )
    p.add_argument("--database-url", default=DEFAULT_PG)
    p.add_argument("--redis-url", default=DEFAULT_REDIS)
    p.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--keep-logs", action="store_true")
    args = p.parse_args(argv)
    # What the launch harness expects.
    args.sqlite, args.port, args.profile, args.links = False, 0, False, 4
    args.bare_seed = True  # a fresh course: configured activities, no work yet
    return args


@dataclass
class Journey:
    learner: int
    launch_ms: float = math.nan
    action_ms: float = math.nan
    error: dict[str, Any] | None = None
    started: float = 0.0
    finished: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def first_action(page: str, page_url: str, learner: int) -> tuple[float, str | None]:
    """Hand in work through the page's submission form; (ms, error)."""
    found = _SUBMIT.search(page)
    if found is None:
        return math.nan, "no submission form on the activity page"
    action, token = html.unescape(found.group(1)), html.unescape(found.group(2))
    browser = BROWSERS["stdlib"]()
    started = time.perf_counter()
    try:
        resp = browser.request(
            "POST",
            urljoin(page_url, action),
            {
                "t": token,
                "body": f"<p>My plan for the difficult conversation, by learner "
                f"{learner}: listen first, then name the issue.</p>",
            },
        )
    finally:
        browser.close()
    ms = (time.perf_counter() - started) * 1000
    if resp.status != 303:
        return ms, f"submit answered {resp.status}: {resp.text[:200]}"
    return ms, None


def journey(learner: int, at: float, base_url: str, platform: dict[str, Any]) -> Journey:
    delay = at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    result = Journey(learner, started=time.monotonic())
    try:
        launch = one_launch(learner, base_url, platform, learner, PEER_REVIEW_LINK)
        if not launch.ok:
            result.error = {
                "step": "launch/" + str((launch.error or {}).get("step")),
                "detail": (launch.error or {}).get("detail"),
            }
            return result
        result.launch_ms = launch.total_ms
        result.action_ms, problem = first_action(launch.page, launch.page_url, learner)
        if problem:
            result.error = {"step": "first action", "detail": problem}
    except NETWORK_ERRORS as exc:
        result.error = {"step": "network", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        result.finished = time.monotonic()
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with Harness(args) as harness:
        try:
            harness.prepare_database()
            harness.start_platform()
            harness.setup_tool()
            harness.start_tool()
        except CannotRun as exc:
            print(f"bench.cohort: cannot run: {exc}", file=sys.stderr)
            return 2
        platform = harness.platform_info
        # Warm every worker (imports, pools, the platform's JWKS) as a running site is.
        warm = [
            one_launch(100_000 + i, harness.base_url, platform, 100_000 + i, 0)
            for i in range(args.workers * 2)
        ]
        if not any(w.ok for w in warm):
            print(f"bench.cohort: warm-up launches failed: {warm[0].error}", file=sys.stderr)
            return 2
        start = time.monotonic() + 0.5
        gap = args.window / max(args.learners, 1)
        lock = threading.Lock()
        done: list[Journey] = []

        def run(i: int) -> None:
            found = journey(i, start + i * gap, harness.base_url, platform)
            with lock:
                done.append(found)

        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(run, range(args.learners)))
        harness.stop_tool()
    wall = max(j.finished for j in done) - min(j.started for j in done)
    ok = [j for j in done if j.error is None]
    launches = [j.launch_ms for j in done if not math.isnan(j.launch_ms)]
    actions = [j.action_ms for j in ok]
    errors: dict[str, int] = {}
    for j in done:
        if j.error:
            errors[j.error["step"]] = errors.get(j.error["step"], 0) + 1
    print(
        f"cohort: {args.learners} learners of one course launch within {args.window:g} s "
        f"and hand in their work; gunicorn {args.workers} workers + PostgreSQL + Redis"
    )
    print(
        f"  journeys ok {len(ok)}/{len(done)} in {wall:.1f} s "
        f"({len(ok) / wall if wall else 0:.1f} journeys/s, "
        f"{4 * len(ok) / wall if wall else 0:.0f} requests/s)"
    )
    print(
        f"  launch (4 requests)  p50 {pct(launches, 50):.0f}  p95 {pct(launches, 95):.0f}  "
        f"max {max(launches, default=math.nan):.0f} ms"
    )
    print(
        f"  first action (submit) p50 {pct(actions, 50):.0f}  p95 {pct(actions, 95):.0f}  "
        f"max {max(actions, default=math.nan):.0f} ms"
    )
    if errors:
        print("  errors: " + ", ".join(f"{k} {v}" for k, v in sorted(errors.items())))
        sample = next(j.error for j in done if j.error)
        print(f"  first error: {sample}")
    good = not errors and pct(launches, 95) < TARGET_P95_MS and pct(actions, 95) < TARGET_P95_MS
    print(f"  targets: 0 errors, p95 < {TARGET_P95_MS:g} ms: {'PASS' if good else 'MISS'}")
    return 1 if args.check and not good else 0


if __name__ == "__main__":
    raise SystemExit(main())
