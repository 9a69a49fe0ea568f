"""Launch load benchmark: N full LTI launches against the tool under gunicorn.

One launch is what a browser does when a learner opens Peerlift from a course:

1. ``POST /lti/login`` (tool)        → 302 to the platform, state cookie set
2. ``GET  <platform>/auth``          → auto-submitting form with a signed id_token
3. ``POST /lti/launch`` (tool)       → 200, the activity page itself (the tool
   answers the launch with the page; ``Content-Location`` names its GET address)
4. ``GET  /a/<id>?t=…`` (tool)       → only when the launch answers with a redirect
   (older tool versions, or deep linking); recorded as 0 ms otherwise

Everything runs on this machine: the tool under gunicorn (PostgreSQL + Redis, or
SQLite with ``--sqlite``), the platform in its own process (bench/platform_server.py)
and the simulated browsers as threads of this process. CPU is read from /proc for
each party separately, so "tool CPU" is the gunicorn master and workers only.

Usage: ``bench/launch [-n 2000] [-c 8] [--workers 4] [--sqlite] [--check] [--profile]``.
Exit status: 0 when it ran, 1 with ``--check`` when a target is missed, 2 when it
could not run (PostgreSQL/Redis unreachable, the tool did not start, no launch
succeeded).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import html
import http.client
import json
import math
import os
import platform as pyplatform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
STEPS = ("login", "platform_auth", "launch_post", "page_get")
TOOL_STEPS = ("login", "launch_post", "page_get")

#: The issue's targets for this 2-core machine.
TARGET_LAUNCHES_PER_S = 200.0
TARGET_CONCURRENCY = 8
TARGET_P95_MS = 60.0
TARGET_TOOL_CPU_MS = 3.0

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/peerlift_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
REDIS_PREFIX = "peerlift:launch:"
HTTP_TIMEOUT = 30.0


class CannotRun(Exception):
    """The benchmark could not run; the message says why and what to do."""


# -- command line --------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/launch",
        description="Run N full LTI launches (login → platform auth → launch → page) "
        "against the tool under gunicorn; print launches/s, latency and the "
        "tool's CPU per launch.",
    )
    p.add_argument("-n", "--launches", type=int, default=2000, help="measured launches (2000)")
    p.add_argument(
        "-c", "--concurrency", type=int, default=8, help="simulated browsers launching at once (8)"
    )
    p.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    p.add_argument("--warmup", type=int, default=50, help="launches before measuring (50)")
    p.add_argument(
        "--sqlite",
        action="store_true",
        help="embedded SQLite file and database state store (no PostgreSQL/Redis)",
    )
    p.add_argument(
        "--check", action="store_true", help="exit 1 when a target is missed or a launch failed"
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the gunicorn workers (CPU time) and print the hotspots; "
        "the numbers are then inflated by the profiler, targets not judged",
    )
    p.add_argument(
        "--client",
        choices=("stdlib", "requests"),
        default="stdlib",
        help="simulated browser: http.client (default, ~1 ms CPU per launch) or "
        "requests.Session (~6 ms per launch, competes with the tool for CPU)",
    )
    p.add_argument("--users", type=int, default=500, help="distinct learners (500)")
    p.add_argument("--links", type=int, default=20, help="distinct resource links (20)")
    p.add_argument("--seed", type=int, default=1, help="random seed for the launch mix (1)")
    p.add_argument("--port", type=int, default=0, help="tool port (0: a free one)")
    p.add_argument(
        "--database-url",
        default=os.environ.get("PEERLIFT_BENCH_DATABASE_URL", DEFAULT_PG),
        help=f"PostgreSQL URL; the database is dropped and re-created ({DEFAULT_PG})",
    )
    p.add_argument(
        "--redis-url",
        default=os.environ.get("PEERLIFT_BENCH_REDIS_URL", DEFAULT_REDIS),
        help=f"Redis URL for the state store ({DEFAULT_REDIS})",
    )
    p.add_argument(
        "--baseline",
        action="store_true",
        help="also run the same launches against a bare pylti1p3 tool "
        "(bench/baseline_pylti1p3.py, same workers), interleaved, and print "
        "Peerlift ÷ baseline",
    )
    p.add_argument(
        "--quick", action="store_true", help="a few minutes: -n 200, --warmup 20, --users 100"
    )
    p.add_argument(
        "--bare-seed",
        action="store_true",
        help="configured activities only, no learners' work (the seed before "
        "issue 17); default: the realistic seed (bench/seed_work.py)",
    )
    p.add_argument(
        "--json",
        dest="json_path",
        default=None,
        help="where to write the JSON result (bench/results/launch-<time>.json)",
    )
    p.add_argument(
        "--page-gets",
        type=int,
        default=None,
        help="after the launches, this many activity page GETs (a learner reloading "
        "the page of their launch) at -c, timed (bench/page_get.py); default "
        "1000, 200 with --quick; 0: none",
    )
    p.add_argument(
        "--keep-logs",
        action="store_true",
        help="keep the temporary directory with the gunicorn/platform logs",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.launches, args.warmup, args.users = 200, 20, 100
    if args.page_gets is None:
        args.page_gets = 200 if args.quick else 1000
    if args.sqlite and not args.bare_seed:
        print(
            "bench: --sqlite: bare seed (the realistic seed's requests run into SQLite's "
            "'database is locked'; not investigated)",
            flush=True,
        )
        args.bare_seed = True
    if args.launches < 1 or args.concurrency < 1 or args.workers < 1 or args.warmup < 0:
        p.error("-n, -c and --workers must be at least 1, --warmup at least 0")
    if args.users < 1 or args.links < 1:
        p.error("--users and --links must be at least 1")
    return args


# -- /proc CPU accounting --------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[str, int, int, int] | None:
    """(comm, ppid, utime+stime ticks, stime ticks) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    rest = raw[raw.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return comm, int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[12])


def _all_stats() -> dict[int, tuple[str, int, int, int]]:
    out: dict[int, tuple[str, int, int, int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None:
                out[int(entry.name)] = st
    return out


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def _busy_fraction(seconds: float) -> float:
    """How busy the machine is over ``seconds`` (0..1), before we start anything."""
    b0, t0 = _machine_ticks()
    time.sleep(seconds)
    b1, t1 = _machine_ticks()
    return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0


@dataclass
class CpuSnapshot:
    at: float
    procs: dict[int, tuple[str, int, int, int]]
    machine: tuple[int, int]
    client_s: float

    @classmethod
    def take(cls) -> CpuSnapshot:
        return cls(time.monotonic(), _all_stats(), _machine_ticks(), time.process_time())


def _tree(procs: dict[int, tuple[str, int, int, int]], root: int) -> set[int]:
    """``root`` and its descendants (gunicorn master + workers)."""
    pids, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (_, ppid, _, _) in procs.items():
            if ppid == parent and pid not in pids:
                pids.add(pid)
                frontier.append(pid)
    return pids & set(procs) if root in procs else pids


def cpu_delta(
    before: CpuSnapshot, after: CpuSnapshot, tool_master: int, platform_pid: int
) -> dict[str, Any]:
    """CPU seconds spent by each party between two snapshots."""

    def ticks(pids: set[int]) -> int:
        # A process born during the run counts from zero; one that exited is lost.
        return sum(
            after.procs[p][2] - (before.procs[p][2] if p in before.procs else 0)
            for p in pids
            if p in after.procs
        )

    tool_before, tool_after = _tree(before.procs, tool_master), _tree(after.procs, tool_master)

    def named(name: str) -> set[int]:
        return {p for p, st in after.procs.items() if st[0] == name}

    busy = after.machine[0] - before.machine[0]
    total = after.machine[1] - before.machine[1]
    ours = (
        ticks(tool_after)
        + ticks({platform_pid})
        + ticks(named("postgres"))
        + ticks(named("redis-server"))
        + (after.client_s - before.client_s) * CLK_TCK
    )
    return {
        "tool_s": ticks(tool_after) / CLK_TCK,
        "tool_sys_s": sum(
            after.procs[p][3] - (before.procs[p][3] if p in before.procs else 0)
            for p in tool_after
            if p in after.procs
        )
        / CLK_TCK,
        "tool_pids": sorted(tool_after),
        "tool_workers_changed": tool_before != tool_after,
        "platform_s": ticks({platform_pid}) / CLK_TCK,
        "client_s": after.client_s - before.client_s,
        "postgres_s": ticks(named("postgres")) / CLK_TCK,
        "redis_s": ticks(named("redis-server")) / CLK_TCK,
        "machine_busy_fraction": busy / total if total else 0.0,
        # CPU of everything else on the machine (other people's tests, …) as a
        # fraction of the machine: when it is high the run was disturbed.
        "other_fraction": max(0.0, busy - ours) / total if total else 0.0,
        "cpus": os.cpu_count() or 1,
    }


# -- processes ---------------------------------------------------------------------


def _die_with_parent() -> None:
    """Children get SIGTERM if this process dies (even by SIGKILL): no stray gunicorn."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[Any] | None, name: str, grace: float = 10.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        print(f"bench: {name} did not stop in {grace:.0f}s; killing it", file=sys.stderr)
        proc.kill()
        proc.wait(5)


class Harness:
    """Starts and stops the platform server and gunicorn; sets up the database."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="peerlift-bench-"))
        self.platform_proc: subprocess.Popen[str] | None = None
        self.tool_proc: subprocess.Popen[bytes] | None = None
        self.platform_info: dict[str, Any] = {}
        self.port = args.port or _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.bin = Path(sys.executable).parent
        if args.sqlite:
            self.db_url = f"sqlite:///{self.tmp / 'peerlift-bench.db'}"
            self.redis_url = ""
        else:
            self.db_url = args.database_url
            self.redis_url = args.redis_url
        self.profile_dir = self.tmp / "profile"
        self.key_file = self.tmp / "platform-key.pem"
        self.extra_stops: list[Any] = []

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        for stop in self.extra_stops:
            stop()
        _stop(self.tool_proc, "gunicorn", 20.0)
        _stop(self.platform_proc, "platform server")
        if self.args.keep_logs:
            print(f"bench: logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    @property
    def backend(self) -> str:
        return "sqlite" if self.args.sqlite else "postgresql+redis"

    def tool_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PEERLIFT_", "FLASK_", "GUNICORN_"))
        }
        env.update(
            PEERLIFT_ENV="development",
            PEERLIFT_SANDBOX="0",
            PEERLIFT_BASE_URL=self.base_url,
            PEERLIFT_LOG_LEVEL="WARNING",
            PEERLIFT_DATABASE_URL=self.db_url,
            PEERLIFT_REDIS_URL=self.redis_url,
            PEERLIFT_SECRET_KEY=secrets.token_urlsafe(48),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
            PYTHONUNBUFFERED="1",
            # Thousands of launches from one client address: measure the launch,
            # not the rate limiter (which would answer 429 past 60/s).
            PEERLIFT_RATELIMIT="0",
        )
        return env

    # platform ------------------------------------------------------------------
    def start_platform(self) -> None:
        log = (self.tmp / "platform.log").open("w")
        self.platform_proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.platform_server",
                "--port",
                "0",
                "--key-file",
                str(self.key_file),
            ],
            cwd=ROOT,
            env=self.tool_env(),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )  # noqa: PLW1509
        assert self.platform_proc.stdout is not None
        line = self.platform_proc.stdout.readline()
        if not line:
            raise CannotRun(
                "the platform server did not start:\n" + _tail(self.tmp / "platform.log")
            )
        self.platform_info = json.loads(line)

    # database ------------------------------------------------------------------
    def prepare_database(self) -> None:
        if self.args.sqlite:
            return
        import psycopg
        import redis

        dsn = self.db_url.replace("postgresql+psycopg://", "postgresql://")
        parts = urlsplit(dsn)
        name = parts.path.lstrip("/")
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise CannotRun(f"unexpected database name {name!r} in {self.db_url}")
        admin = parts._replace(path="/postgres").geturl()
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            raise CannotRun(
                f"PostgreSQL is not reachable or refused to (re)create {name!r} "
                f"at {parts.hostname}:{parts.port or 5432}: {exc}\n"
                "Start PostgreSQL (trust auth for user postgres), pass --database-url, "
                "or run with --sqlite."
            ) from exc
        try:
            client = redis.Redis.from_url(
                self.redis_url, socket_connect_timeout=3, socket_timeout=5
            )
            client.ping()
            stale = list(client.scan_iter(REDIS_PREFIX + "*", count=1000))
            for i in range(0, len(stale), 500):
                client.delete(*stale[i : i + 500])
            client.close()
        except redis.RedisError as exc:
            raise CannotRun(
                f"Redis is not reachable at {self.redis_url}: {exc}\n"
                "Start Redis, pass --redis-url, or run with --sqlite."
            ) from exc

    def _run(self, what: str, cmd: list[str]) -> str:
        proc = subprocess.run(
            cmd,
            cwd=ROOT,
            env=self.tool_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if proc.returncode != 0:
            raise CannotRun(
                f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                + (proc.stderr or proc.stdout)[-3000:]
            )
        return proc.stdout

    def setup_tool(self) -> None:
        """Schema, platform registration and seeded activities, the way an admin would."""
        flask = [sys.executable, "-m", "flask", "--app", "lti_app"]
        self._run("flask db upgrade", [*flask, "db", "upgrade"])
        info = self.platform_info
        issuer = info["issuer"]
        self._run(
            "flask platforms add",
            [
                *flask,
                "platforms",
                "add",
                "--issuer",
                issuer,
                "--client-id",
                info["client_id"],
                "--deployment-id",
                info["deployment_id"],
                "--auth-login-url",
                issuer + "/auth",
                "--auth-token-url",
                issuer + "/token",
                "--jwks-url",
                issuer + "/jwks",
                "--name",
                "Launch benchmark LMS",
            ],
        )
        if self.args.bare_seed:
            self._run(
                "seeding activities",
                [
                    sys.executable,
                    "-m",
                    "bench.seed",
                    "--issuer",
                    issuer,
                    "--links",
                    str(self.args.links),
                ],
            )
        else:
            seed_courses(self, issuer)

    # tool ----------------------------------------------------------------------
    def start_tool(self) -> None:
        gunicorn = self.bin / "gunicorn"
        cmd = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        cmd += [
            "--workers",
            str(self.args.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            "--error-logfile",
            "-",
        ]
        env = self.tool_env()
        if self.args.profile:
            self.profile_dir.mkdir()
            env["BENCH_PROFILE_DIR"] = str(self.profile_dir)
            env["BENCH_PROFILE_START"] = str(self.profile_dir / "start")
            cmd += ["--config", str(ROOT / "bench" / "gunicorn_profile.py")]
        else:
            cmd += ["--config", str(ROOT / "bench" / "gunicorn_bench.py")]
        cmd.append("lti_app:create_app()")
        log = (self.tmp / "gunicorn.log").open("wb")
        self.tool_proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )  # noqa: PLW1509
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.tool_proc.poll() is not None:
                raise CannotRun(
                    f"gunicorn exited with {self.tool_proc.returncode}:\n"
                    + _tail(self.tmp / "gunicorn.log")
                )
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base_url + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise CannotRun(
            "the tool did not answer /healthz within 60 s:\n" + _tail(self.tmp / "gunicorn.log")
        )

    def start_profiling(self) -> None:
        if self.args.profile:
            (self.profile_dir / "start").touch()

    def stop_tool(self) -> None:
        _stop(self.tool_proc, "gunicorn", 30.0)


# -- the simulated browsers ----------------------------------------------------------

_INPUT = re.compile(r'<input type="hidden" name="(id_token|state)" value="([^"]*)">')
_ACTION = re.compile(r'<form method="post" action="([^"]*)">')


@dataclass
class Launch:
    index: int
    ok: bool = False
    total_ms: float = 0.0
    steps_ms: dict[str, float] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    #: The activity page the launch ended on (for a first action after it).
    page: str = ""
    page_url: str = ""


class LaunchFailed(Exception):
    def __init__(self, step: str, status: int | None, detail: str):
        super().__init__(f"{step}: {status} {detail}")
        self.step, self.status, self.detail = step, status, detail


@dataclass
class Resp:
    status: int
    location: str
    text: str


USER_AGENT = "peerlift-bench/1 (simulated browser)"


class StdlibBrowser:
    """A minimal browser on http.client: one cookie jar, one connection per request
    (gunicorn's sync workers close the connection after each response anyway)."""

    def __init__(self) -> None:
        #: (host, path, name) -> value
        self.cookies: dict[tuple[str, str, str], str] = {}

    def _store_cookie(self, host: str, header: str) -> None:
        pairs = [part.strip() for part in header.split(";")]
        name, _, value = pairs[0].partition("=")
        path = "/"
        expired = False
        for attr in pairs[1:]:
            key, _, val = attr.partition("=")
            key = key.strip().lower()
            if key == "path" and val:
                path = val
            elif key == "max-age" and val.strip().lstrip("-").isdigit() and int(val) <= 0:
                expired = True
        if expired:
            self.cookies.pop((host, path, name), None)
        else:
            self.cookies[(host, path, name)] = value

    def request(self, method: str, url: str, form: dict[str, str] | None = None) -> Resp:
        parts = urlsplit(url)
        host, path = parts.hostname or "", parts.path or "/"
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html,*/*"}
        cookie = "; ".join(
            f"{n}={v}" for (h, p, n), v in self.cookies.items() if h == host and path.startswith(p)
        )
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(host, parts.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request(
                method,
                path + ("?" + parts.query if parts.query else ""),
                body=body,
                headers=headers,
            )
            resp = conn.getresponse()
            data = resp.read()
            for header in resp.headers.get_all("Set-Cookie") or []:
                self._store_cookie(host, header)
            return Resp(
                resp.status, resp.headers.get("Location", ""), data.decode("utf-8", "replace")
            )
        finally:
            conn.close()

    def close(self) -> None:
        self.cookies.clear()


class RequestsBrowser:
    """The same browser on requests.Session (heavier: ~4x the client CPU)."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def request(self, method: str, url: str, form: dict[str, str] | None = None) -> Resp:
        resp = self.session.request(
            method, url, data=form, allow_redirects=False, timeout=HTTP_TIMEOUT
        )
        return Resp(resp.status_code, resp.headers.get("Location", ""), resp.text)

    def close(self) -> None:
        self.session.close()


BROWSERS: dict[str, Any] = {"stdlib": StdlibBrowser, "requests": RequestsBrowser}
NETWORK_ERRORS = (OSError, http.client.HTTPException, requests.RequestException)


def _expect(step: str, resp: Resp, status: int) -> None:
    if resp.status != status:
        body = resp.text[:300].replace("\n", " ")
        raise LaunchFailed(
            step,
            resp.status,
            f"expected {status}; " + (f"Location={resp.location} " if resp.location else "") + body,
        )


def one_launch(
    index: int,
    base_url: str,
    platform: dict[str, Any],
    user: int,
    link: int,
    client: str = "stdlib",
) -> Launch:
    """A fresh browser opening link ``link`` as learner ``user``: four requests, timed."""
    result = Launch(index)
    steps = result.steps_ms
    browser = BROWSERS[client]()
    step = "login"
    start = time.perf_counter()
    try:
        t = start
        resp = browser.request(
            "POST",
            base_url + "/lti/login",
            {
                "iss": platform["issuer"],
                "login_hint": f"u{user}",
                "target_link_uri": base_url + "/lti/launch",
                "client_id": platform["client_id"],
                "lti_message_hint": f"l{link}",
                "lti_deployment_id": platform["deployment_id"],
            },
        )
        _expect(step, resp, 302)
        auth_url = resp.location
        if not auth_url.startswith(platform["issuer"] + "/auth?"):
            raise LaunchFailed(step, resp.status, f"redirect to {auth_url[:200]}")
        now = time.perf_counter()
        steps[step], t, step = (now - t) * 1000, now, "platform_auth"

        resp = browser.request("GET", auth_url)
        _expect(step, resp, 200)
        action = _ACTION.search(resp.text)
        fields = dict(_INPUT.findall(resp.text))
        if action is None or set(fields) != {"id_token", "state"}:
            raise LaunchFailed(step, resp.status, "no id_token form: " + resp.text[:200])
        now = time.perf_counter()
        steps[step], t, step = (now - t) * 1000, now, "launch_post"

        launch_url = html.unescape(action.group(1))
        resp = browser.request("POST", launch_url, {k: html.unescape(v) for k, v in fields.items()})
        if resp.status == 303:
            page_url = urljoin(launch_url, resp.location)
            now = time.perf_counter()
            steps[step], t, step = (now - t) * 1000, now, "page_get"
            resp = browser.request("GET", page_url)
        else:
            now = time.perf_counter()
            steps[step], t, step = (now - t) * 1000, now, "page_get"
        _expect(step, resp, 200)
        if f"Bench activity {link:03d}" not in resp.text:
            raise LaunchFailed(
                step, resp.status, "not the activity page: " + resp.text[:200].replace("\n", " ")
            )
        now = time.perf_counter()
        steps[step] = (now - t) * 1000
        result.ok = True
        result.page, result.page_url = resp.text, launch_url
    except LaunchFailed as exc:
        result.error = {
            "launch": index,
            "step": exc.step,
            "status": exc.status,
            "detail": exc.detail,
        }
    except (*NETWORK_ERRORS, KeyError, ValueError) as exc:
        result.error = {
            "launch": index,
            "step": step,
            "status": None,
            "detail": f"{type(exc).__name__}: {exc}"[:300],
        }
    finally:
        browser.close()
    result.total_ms = (time.perf_counter() - start) * 1000
    return result


def run_launches(
    base_url: str,
    platform: dict[str, Any],
    plan: list[tuple[int, int]],
    concurrency: int,
    client: str,
    offset: int = 0,
) -> tuple[list[Launch], float]:
    """Run ``plan`` with ``concurrency`` browser threads; return results and wall seconds."""
    results: list[Launch | None] = [None] * len(plan)
    lock = threading.Lock()
    cursor = iter(range(len(plan)))
    stop = threading.Event()

    def browser() -> None:
        while not stop.is_set():
            with lock:
                i = next(cursor, None)
            if i is None:
                return
            user, link = plan[i]
            results[i] = one_launch(offset + i, base_url, platform, user, link, client)

    threads = [
        threading.Thread(target=browser, name=f"browser-{k}", daemon=True)
        for k in range(min(concurrency, len(plan)))
    ]
    start = time.perf_counter()
    for th in threads:
        th.start()
    try:
        for th in threads:
            while th.is_alive():
                th.join(0.2)
    except BaseException:
        stop.set()
        raise
    wall = time.perf_counter() - start
    return [r for r in results if r is not None], wall


# -- numbers -----------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summarise(
    results: list[Launch], wall: float, cpu: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    ok = [r for r in results if r.ok]
    totals = [r.total_ms for r in ok]
    n = len(results)
    per_step = {
        s: {
            "p50_ms": pct([r.steps_ms[s] for r in ok], 50),
            "p95_ms": pct([r.steps_ms[s] for r in ok], 95),
            "p99_ms": pct([r.steps_ms[s] for r in ok], 99),
        }
        for s in STEPS
    }
    errors = [r.error for r in results if r.error]
    by_kind: dict[str, int] = {}
    for e in errors:
        key = f"{e['step']} {e['status']}"
        by_kind[key] = by_kind.get(key, 0) + 1
    return {
        "launches": n,
        "ok": len(ok),
        "errors": len(errors),
        "errors_by_step": by_kind,
        "first_errors": errors[:5],
        "wall_s": wall,
        "launches_per_s": len(ok) / wall if wall else 0.0,
        "latency_ms": {
            "p50": pct(totals, 50),
            "p95": pct(totals, 95),
            "p99": pct(totals, 99),
            "max": max(totals) if totals else math.nan,
            "mean": sum(totals) / len(totals) if totals else math.nan,
        },
        "steps": per_step,
        "cpu": {
            **cpu,
            "tool_ms_per_launch": cpu["tool_s"] * 1000 / n,
            "tool_sys_ms_per_launch": cpu["tool_sys_s"] * 1000 / n,
            "platform_ms_per_launch": cpu["platform_s"] * 1000 / n,
            "client_ms_per_launch": cpu["client_s"] * 1000 / n,
            "postgres_ms_per_launch": cpu["postgres_s"] * 1000 / n,
            "redis_ms_per_launch": cpu["redis_s"] * 1000 / n,
        },
    }


def judge(summary: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = [
        (
            "throughput",
            f">= {TARGET_LAUNCHES_PER_S:.0f} launches/s at -c {TARGET_CONCURRENCY}",
            summary["launches_per_s"],
            summary["launches_per_s"] >= TARGET_LAUNCHES_PER_S,
        ),
        (
            "p95 latency",
            f"< {TARGET_P95_MS:.0f} ms per launch",
            summary["latency_ms"]["p95"],
            summary["latency_ms"]["p95"] < TARGET_P95_MS,
        ),
        (
            "tool CPU",
            f"<= {TARGET_TOOL_CPU_MS:.1f} ms per launch",
            summary["cpu"]["tool_ms_per_launch"],
            summary["cpu"]["tool_ms_per_launch"] <= TARGET_TOOL_CPU_MS,
        ),
        ("errors", "0 failed launches", summary["errors"], summary["errors"] == 0),
    ]
    return [
        {"name": name, "target": target, "value": value, "pass": bool(ok)}
        for name, target, value, ok in rows
    ]


def _f(x: float, digits: int = 1) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def report(
    summary: dict[str, Any],
    targets: list[dict[str, Any]],
    args: argparse.Namespace,
    harness: Harness,
) -> None:
    cpu = summary["cpu"]
    lat = summary["latency_ms"]
    out = print
    out("")
    out("Peerlift launch benchmark")
    out(
        f"  launches      {summary['launches']} measured (+{args.warmup} warm-up), "
        f"concurrency {args.concurrency}, gunicorn workers {args.workers} (sync)"
    )
    out(
        f"  backend       {harness.backend}"
        + ("" if args.sqlite else f"  ({harness.db_url.split('@')[-1]}, {harness.redis_url})")
    )
    out(f"  machine       {cpu['cpus']} CPUs, Python {pyplatform.python_version()}")
    if args.profile:
        out("  PROFILING     cProfile in every worker: all numbers below are inflated")
    out("")
    out(
        f"  throughput    {_f(summary['launches_per_s'])} launches/s "
        f"({summary['ok']} ok in {_f(summary['wall_s'], 2)} s)"
    )
    out(
        f"  latency       p50 {_f(lat['p50'])}  p95 {_f(lat['p95'])}  p99 {_f(lat['p99'])}  "
        f"max {_f(lat['max'])} ms  (whole launch: login, platform, launch)"
    )
    for s in STEPS:
        st = summary["steps"][s]
        who = "platform" if s == "platform_auth" else "tool"
        out(
            f"    {s:<14}p50 {_f(st['p50_ms']):>6}  p95 {_f(st['p95_ms']):>6}  "
            f"p99 {_f(st['p99_ms']):>6} ms   ({who})"
        )
    out(
        f"  errors        {summary['errors']}"
        + (f"  {summary['errors_by_step']}" if summary["errors"] else "")
    )
    for e in summary["first_errors"]:
        out(f"    #{e['launch']} {e['step']} status={e['status']}: {e['detail'][:240]}")
    out("")
    out("  CPU ms per launch (from /proc, measured run only)")
    out(
        f"    tool          {_f(cpu['tool_ms_per_launch'], 2):>6}   gunicorn master + "
        f"{len(cpu['tool_pids']) - 1} workers (of which kernel "
        f"{_f(cpu['tool_sys_ms_per_launch'], 2)})"
        + ("  (WARNING: worker set changed during the run)" if cpu["tool_workers_changed"] else "")
    )
    if not args.sqlite:
        out(f"    postgresql    {_f(cpu['postgres_ms_per_launch'], 2):>6}   all postgres processes")
        out(f"    redis         {_f(cpu['redis_ms_per_launch'], 2):>6}")
    out(
        f"    platform      {_f(cpu['platform_ms_per_launch'], 2):>6}   bench LMS (signs the "
        "id_token), not counted as tool"
    )
    out(
        f"    client        {_f(cpu['client_ms_per_launch'], 2):>6}   the simulated browsers "
        "(this process)"
    )
    out(
        f"    machine busy  {_f(cpu['machine_busy_fraction'] * 100, 0):>5}%   of "
        f"{cpu['cpus']} CPUs during the run; other processes (not this benchmark) "
        f"{_f(cpu['other_fraction'] * 100, 0)}%"
    )
    if cpu["other_fraction"] > 0.10:
        out(
            "    WARNING: other processes used a noticeable share of the machine during the run; "
            "throughput and latency are not representative. Run again on a quiet machine."
        )
    out("")
    out("  targets" + ("  (not judged: --profile)" if args.profile else ""))
    for t in targets:
        value = t["value"]
        shown = (
            str(value) if isinstance(value, int) else _f(value, 2 if t["name"] == "tool CPU" else 1)
        )
        verdict = "n/a" if args.profile else ("PASS" if t["pass"] else "MISS")
        out(f"    {verdict:<5} {t['name']:<12} {shown:>8}   target {t['target']}")
    if args.concurrency != TARGET_CONCURRENCY and not args.profile:
        out(
            f"    (throughput and p95 targets are defined at -c {TARGET_CONCURRENCY}; "
            f"this run used -c {args.concurrency})"
        )


# -- profile ----------------------------------------------------------------------


def _short(path: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    if "/lib/python" in path:
        return "stdlib/" + path.split("/lib/python", 1)[1].split("/", 1)[-1]
    return path


def profile_report(profile_dir: Path, launches: int, top: int = 25) -> dict[str, Any]:
    import pstats

    files = sorted(str(p) for p in profile_dir.glob("worker-*.prof"))
    if not files:
        print("\n  profile: no worker profiles were written")
        return {}
    stats = pstats.Stats(*files)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in raw.items():
        where = f"{_short(filename)}:{line}({func})" if line else f"{func}"
        rows.append(
            {
                "where": where,
                "calls_per_launch": nc / launches,
                "self_ms": tt * 1000 / launches,
                "cum_ms": ct * 1000 / launches,
            }
        )
    total_ms = sum(r["self_ms"] for r in rows)
    print(
        f"\n  profile: {len(files)} workers, {total_ms:.2f} ms CPU per launch under cProfile "
        "(profiler overhead included; compare shares, not absolutes)"
    )
    for key, title in (("cum_ms", "cumulative"), ("self_ms", "self")):
        print(f"\n  top {top} by {title} CPU ms per launch")
        print(f"    {'cum ms':>7} {'self ms':>7} {'calls':>7}  function")
        for r in sorted(rows, key=lambda r: r[key], reverse=True)[:top]:
            print(
                f"    {r['cum_ms']:7.3f} {r['self_ms']:7.3f} {r['calls_per_launch']:7.1f}  "
                f"{r['where']}"
            )
    return {
        "workers": len(files),
        "ms_per_launch_profiled": total_ms,
        "top_cumulative": sorted(rows, key=lambda r: r["cum_ms"], reverse=True)[:60],
        "top_self": sorted(rows, key=lambda r: r["self_ms"], reverse=True)[:60],
    }


# -- main ----------------------------------------------------------------------------


def _plan(args: argparse.Namespace, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """(learner, link) pairs: a learner opens the links of their own course (as seeded);
    with ``--bare-seed``, any link (as before issue 17)."""
    from bench.platform_server import COURSES

    if args.bare_seed:
        return [(rng.randrange(args.users), rng.randrange(args.links)) for _ in range(count)]
    links = {c: [j for j in range(args.links) if j % COURSES == c] for c in range(COURSES)}
    plan = []
    for _ in range(count):
        user = rng.randrange(args.users)
        own = links[user % COURSES] or list(range(args.links))
        plan.append((user, rng.choice(own)))
    return plan


def seed_courses(h: Harness, issuer: str) -> None:
    """The realistic seed (bench/seed_work.py), one process per course."""
    from bench.platform_server import COURSES

    cmd = [
        sys.executable,
        "-m",
        "bench.seed_work",
        "--issuer",
        issuer,
        "--key-file",
        str(h.key_file),
        "--users",
        str(h.args.users),
        "--links",
        str(h.args.links),
    ]
    start = time.monotonic()
    # Output to files, not pipes: a pipe nobody reads yet would stall that course.
    logs = [h.tmp / f"seed-{c}.log" for c in range(COURSES)]
    procs = [
        (
            c,
            subprocess.Popen(
                [*cmd, "--course", str(c)],
                cwd=ROOT,
                env=h.tool_env(),
                stdout=logs[c].open("w"),
                stderr=subprocess.STDOUT,
            ),
        )
        for c in range(COURSES)
    ]
    for c, proc in procs:
        proc.wait(timeout=1800)
        if proc.returncode != 0:
            for _, other in procs:
                if other.poll() is None:
                    other.kill()
                    other.wait()
            raise CannotRun(
                f"seeding course {c} failed (exit {proc.returncode}):\n" + _tail(logs[c], 30)
            )
        done = [
            line for line in logs[c].read_text().splitlines() if line.startswith(f"course {c}:")
        ]
        print("bench: seeded " + (done[-1] if done else f"course {c}"), flush=True)
    print(f"bench: realistic seed took {time.monotonic() - start:.0f} s", flush=True)


def _git_commit() -> str | None:
    with contextlib.suppress(Exception):
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return out.stdout.strip() or None
    return None


def _sigterm(*_: Any) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    warm_plan, plan = _plan(args, args.warmup, rng), _plan(args, args.launches, rng)
    with Harness(args) as h:
        print(
            f"bench: {h.backend}, {args.workers} workers, {args.launches} launches at "
            f"concurrency {args.concurrency}",
            flush=True,
        )
        idle_busy = _busy_fraction(1.0)
        if idle_busy > 0.15:
            print(
                f"bench: WARNING: the machine is already {idle_busy:.0%} busy before the run "
                "(other processes); the numbers will be disturbed",
                flush=True,
            )
        h.start_platform()
        h.prepare_database()
        print(
            f"bench: migrating, registering the bench platform, seeding {args.links} activities",
            flush=True,
        )
        h.setup_tool()
        h.start_tool()
        assert h.tool_proc is not None and h.platform_proc is not None
        base = None
        if args.baseline:
            from bench import launch_baseline

            # The baseline keeps its launch cache in Redis even with --sqlite.
            base = launch_baseline.BaselineTool(
                h.tmp, h.platform_info, args.workers, args.redis_url
            )
            h.extra_stops.append(base.stop)
            base.start()
            launch_baseline.warm(base, h.platform_info, warm_plan, args)
        print(
            f"bench: tool up at {h.base_url}; platform at {h.platform_info['issuer']}; "
            f"{args.warmup} warm-up launches",
            flush=True,
        )
        if warm_plan:
            warm, _ = run_launches(
                h.base_url, h.platform_info, warm_plan, args.concurrency, args.client
            )
            bad = [r.error for r in warm if r.error]
            if len(bad) == len(warm):
                raise CannotRun(
                    "every warm-up launch failed; first: "
                    + json.dumps(bad[0])
                    + "\n"
                    + _tail(h.tmp / "gunicorn.log")
                )
        h.start_profiling()
        print(f"bench: measuring {args.launches} launches", flush=True)
        base_summary: dict[str, Any] = {}
        if base is not None:
            sides = launch_baseline.run_interleaved(
                h.base_url, h.tool_proc.pid, base, h.platform_info, h.platform_proc.pid, plan, args
            )
            results, wall, cpu = sides["peerlift"]
            base_summary = summarise(*sides["baseline"], args)
        else:
            before = CpuSnapshot.take()
            results, wall = run_launches(
                h.base_url, h.platform_info, plan, args.concurrency, args.client, offset=args.warmup
            )
            after = CpuSnapshot.take()
            cpu = cpu_delta(before, after, h.tool_proc.pid, h.platform_proc.pid)
        summary = summarise(results, wall, cpu, args)
        targets = judge(summary, args)
        pages: dict[str, Any] = {}
        if args.page_gets and not args.profile:
            from bench import page_get

            found = page_get.page_urls(results)
            if found:
                print(f"bench: {args.page_gets} activity page GETs", flush=True)
                pages = page_get.run(
                    found,
                    args.page_gets,
                    args.concurrency,
                    h.tool_proc.pid,
                    h.platform_proc.pid,
                )
        prof: dict[str, Any] = {}
        if args.profile:
            h.stop_tool()
            prof = profile_report(h.profile_dir, args.launches)
        report(summary, targets, args, h)
        ratios: dict[str, float] = {}
        if base is not None:
            ratios = launch_baseline.report(summary, base_summary)
        if pages:
            from bench import page_get

            page_get.report(pages)
        if summary["errors"]:
            print("\n  tool log (tail):\n" + _tail(h.tmp / "gunicorn.log", 15))
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(args.json_path) if args.json_path else RESULTS / f"launch-{stamp}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "benchmark": "launch",
            "at": dt.datetime.now().astimezone().isoformat(),
            "commit": _git_commit(),
            "config": {
                "launches": args.launches,
                "concurrency": args.concurrency,
                "workers": args.workers,
                "warmup": args.warmup,
                "backend": h.backend,
                "users": args.users,
                "links": args.links,
                "seed": args.seed,
                "realistic_seed": not args.bare_seed,
                "baseline": args.baseline,
                "profile": args.profile,
            },
            "machine": {
                "cpus": os.cpu_count(),
                "python": pyplatform.python_version(),
                "platform": pyplatform.platform(),
            },
            "result": summary,
            "targets": targets,
            "profile": prof,
            "page_get": pages or None,
            "baseline": {"result": base_summary, "peerlift_over_baseline": ratios}
            if base_summary
            else None,
        }
        path.write_text(json.dumps(document, indent=2, default=str) + "\n")
        print(f"\n  result written to {path}")
    if summary["ok"] == 0:
        print("bench: no launch succeeded", file=sys.stderr)
        return 2
    missed = not all(t["pass"] for t in targets) or (pages and not pages["pass"])
    if args.check and not args.profile and missed:
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    # Even when started in the background (where SIGINT is inherited as ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return run(args)
    except CannotRun as exc:
        print(f"bench: cannot run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted; stopped gunicorn and the platform server", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # Run as bench.launch_load (not __main__), so bench.launch_baseline, which imports
    # it, shares its classes (CannotRun, …).
    from bench.launch_load import main as _main

    sys.exit(_main())
