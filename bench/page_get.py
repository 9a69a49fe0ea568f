"""``bench/launch --page-gets N``: the activity page GET under load (issue 17).

After the measured launches, learners reload the activity page their launch ended
on: ``GET /a/<id>?t=<token>``, the address the launch answer puts in the address
bar (``history.replaceState``), with the session token the launch gave that
learner. N GETs, ``--concurrency`` at a time, each on its own connection, cycling
over the successful launches' pages (so over the seed's learners and all five
activities of their course). Prints GETs/s, p50/p95/p99/max and the tool's CPU
per GET; target p95 < 50 ms at c=8 (issue 17, course of 500 learners: the
default ``--users 500``).
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from bench.launch_load import CpuSnapshot, Launch, cpu_delta, pct

#: Where the launch answer sends the address bar (base.html).
_SELF_URL = re.compile(r'history\.replaceState\(null, "", ("[^"]+")\)')
TARGET_P95_MS = 50.0
TIMEOUT_S = 60


def page_urls(results: list[Launch]) -> list[tuple[str, str]]:
    """(activity page URL, title the page must show) of every successful launch."""
    found = []
    for r in results:
        m = _SELF_URL.search(r.page) if r.ok else None
        title = re.search(r"Bench activity \d{3}", r.page) if r.ok else None
        if m and title:
            found.append((urljoin(r.page_url, json.loads(m.group(1))), title.group(0)))
    return found


def _get(url: str, title: str) -> tuple[float, str | None]:
    parts = urlsplit(url)
    start = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=TIMEOUT_S)
    try:
        conn.request("GET", f"{parts.path}?{parts.query}", headers={"Accept": "text/html"})
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        return (time.perf_counter() - start) * 1000, f"{type(exc).__name__}: {exc}"[:200]
    finally:
        conn.close()
    ms = (time.perf_counter() - start) * 1000
    if resp.status != 200 or title not in body:
        return ms, f"HTTP {resp.status}: {body[:150]!r}"
    return ms, None


def run(
    pages: list[tuple[str, str]], n: int, concurrency: int, tool_pid: int, platform_pid: int
) -> dict[str, Any]:
    """``n`` page GETs over ``pages``, ``concurrency`` at a time; latency and CPU."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    cursor = iter(range(n))

    def worker() -> None:
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                return
            ms, err = _get(*pages[i % len(pages)])
            with lock:
                (errors.append(err) if err else times.append(ms))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    before = CpuSnapshot.take()
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    cpu = cpu_delta(before, CpuSnapshot.take(), tool_pid, platform_pid)
    return {
        "gets": n,
        "ok": len(times),
        "errors": len(errors),
        "first_errors": errors[:3],
        "concurrency": concurrency,
        "distinct_pages": len(pages),
        "gets_per_s": len(times) / wall if wall else 0.0,
        "latency_ms": {
            "p50": pct(times, 50),
            "p95": pct(times, 95),
            "p99": pct(times, 99),
            "max": max(times) if times else float("nan"),
        },
        "tool_ms_per_get": cpu["tool_s"] * 1000 / n,
        "postgres_ms_per_get": cpu["postgres_s"] * 1000 / n,
        "other_fraction": cpu["other_fraction"],
        "target_p95_ms": TARGET_P95_MS,
        "pass": bool(times) and not errors and pct(times, 95) < TARGET_P95_MS,
    }


def report(s: dict[str, Any]) -> None:
    lat = s["latency_ms"]
    print(
        f"\n  activity page GET (learner reloads the page of their launch; "
        f"{s['distinct_pages']} pages, c={s['concurrency']})\n"
        f"    GETs/s {s['gets_per_s']:.1f}   ok {s['ok']}/{s['gets']}   "
        f"p50 {lat['p50']:.1f}  p95 {lat['p95']:.1f}  p99 {lat['p99']:.1f}  "
        f"max {lat['max']:.1f} ms\n"
        f"    tool CPU {s['tool_ms_per_get']:.2f} ms/GET   "
        f"PostgreSQL {s['postgres_ms_per_get']:.2f}"
        f"   other processes {s['other_fraction']:.0%} of the machine\n"
        f"    {'PASS' if s['pass'] else 'MISS'}  p95 {lat['p95']:.1f} ms   target < "
        f"{s['target_p95_ms']:.0f} ms, no error"
    )
    for err in s["first_errors"]:
        print(f"    error: {err}")
