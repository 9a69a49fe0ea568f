"""``bench/launch --baseline``: the same launch load against Peerlift and a bare pylti1p3 tool.

The baseline (``bench/baseline_pylti1p3.py``) runs under gunicorn with the same worker
count, against the same bench platform (issuer, client id, deployment, JWKS), and gets
the same launches (same learners and links, same concurrency, same simulated browser).
The measured launches are run in alternating chunks (Peerlift, baseline, Peerlift, …),
so a change in the machine's load during the run hits both about equally; each side's
throughput is its successful launches over the wall time of its own chunks, and its CPU
per launch is its gunicorn master and workers' CPU (``/proc``) over its own chunks.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
import requests

from bench import launch_load as ll

#: Measured launches are split into this many chunks per side, alternating.
CHUNKS = 4


class BaselineTool:
    """The bare pylti1p3 tool under gunicorn, configured for the bench platform."""

    def __init__(self, tmp: Path, platform: dict[str, Any], workers: int, redis_url: str):
        self.tmp, self.platform, self.workers = tmp, platform, workers
        self.redis_url = redis_url or ll.DEFAULT_REDIS
        self.port = ll._free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def _key_file(self) -> Path:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path = self.tmp / "baseline-private.pem"
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return path

    def _clear_cache(self) -> None:
        from bench.baseline_pylti1p3 import KEY_PREFIX

        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=3)
        stale = list(client.scan_iter(KEY_PREFIX + "*", count=1000))
        for i in range(0, len(stale), 500):
            client.delete(*stale[i : i + 500])
        client.close()

    def start(self) -> None:
        self._clear_cache()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERLIFT_", "FLASK_"))}
        env.update(
            BENCH_BASELINE_ISSUER=self.platform["issuer"],
            BENCH_BASELINE_CLIENT_ID=self.platform["client_id"],
            BENCH_BASELINE_DEPLOYMENT_ID=self.platform["deployment_id"],
            BENCH_BASELINE_REDIS_URL=self.redis_url,
            BENCH_BASELINE_PRIVATE_KEY=str(self._key_file()),
            BENCH_BASELINE_SECRET_KEY=secrets.token_urlsafe(48),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ll.ROOT), env.get("PYTHONPATH")])),
        )
        gunicorn = Path(sys.executable).parent / "gunicorn"
        cmd = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
        cmd += [
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "--error-logfile",
            "-",
            "bench.baseline_pylti1p3:create_app()",
        ]
        log_path = self.tmp / "baseline.log"
        self.proc = subprocess.Popen(
            cmd,
            cwd=ll.ROOT,
            env=env,
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=ll._die_with_parent,
        )  # noqa: PLW1509
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ll.CannotRun(
                    f"baseline gunicorn exited with {self.proc.returncode}:\n" + ll._tail(log_path)
                )
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base_url + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise ll.CannotRun(
            "the baseline did not answer /healthz within 60 s:\n" + ll._tail(log_path)
        )

    def stop(self) -> None:
        ll._stop(self.proc, "baseline gunicorn", 20.0)


def _add_cpu(total: dict[str, Any] | None, part: dict[str, Any]) -> dict[str, Any]:
    if total is None:
        return dict(part)
    out = dict(total)
    for key, value in part.items():
        if key in ("machine_busy_fraction", "other_fraction"):
            continue  # recomputed from the ticks below
        if isinstance(value, float) and not isinstance(value, bool):
            out[key] = total[key] + value
    out["tool_workers_changed"] = total["tool_workers_changed"] or part["tool_workers_changed"]
    out["_busy"] = total["_busy"] + part["_busy"]
    out["_other"] = total["_other"] + part["_other"]
    out["_ticks"] = total["_ticks"] + part["_ticks"]
    return out


Side = tuple[list[Any], float, dict[str, Any]]


def _measure(
    url: str,
    platform: dict[str, Any],
    plan: list[tuple[int, int]],
    args: Any,
    offset: int,
    master: int,
    platform_pid: int,
) -> Side:
    before = ll.CpuSnapshot.take()
    results, wall = ll.run_launches(
        url, platform, plan, args.concurrency, args.client, offset=offset
    )
    after = ll.CpuSnapshot.take()
    cpu = ll.cpu_delta(before, after, master, platform_pid)
    ticks = after.machine[1] - before.machine[1]
    cpu.update(
        _busy=cpu["machine_busy_fraction"] * ticks,
        _other=cpu["other_fraction"] * ticks,
        _ticks=ticks,
    )
    return results, wall, cpu


def run_interleaved(
    peer_url: str,
    peer_master: int,
    base: BaselineTool,
    platform: dict[str, Any],
    platform_pid: int,
    plan: list[tuple[int, int]],
    args: argparse.Namespace,
) -> dict[str, Side]:
    """The same plan against both tools, alternating chunks; results per side."""
    assert base.proc is not None
    sides: dict[str, tuple[str, int]] = {
        "peerlift": (peer_url, peer_master),
        "baseline": (base.base_url, base.proc.pid),
    }
    acc: dict[str, list[Any]] = {name: [[], 0.0, None] for name in sides}
    size = max(1, -(-len(plan) // CHUNKS))
    for k, start in enumerate(range(0, len(plan), size)):
        chunk = plan[start : start + size]
        order = list(sides) if k % 2 == 0 else list(reversed(sides))
        for name in order:
            url, master = sides[name]
            res, wall, cpu = _measure(
                url, platform, chunk, args, args.warmup + start, master, platform_pid
            )
            acc[name][0].extend(res)
            acc[name][1] += wall
            acc[name][2] = _add_cpu(acc[name][2], cpu)
    out: dict[str, Side] = {}
    for name, (res, wall, cpu) in acc.items():
        ticks = cpu.pop("_ticks") or 1
        cpu["machine_busy_fraction"] = cpu.pop("_busy") / ticks
        cpu["other_fraction"] = cpu.pop("_other") / ticks
        out[name] = (res, wall, cpu)
    return out


def warm(
    base: BaselineTool,
    platform: dict[str, Any],
    plan: list[tuple[int, int]],
    args: argparse.Namespace,
) -> None:
    if not plan:
        return
    results, _ = ll.run_launches(base.base_url, platform, plan, args.concurrency, args.client)
    bad = [r.error for r in results if r.error]
    if len(bad) == len(results):
        raise ll.CannotRun(
            f"every baseline warm-up launch failed; first: {bad[0]}\n"
            + ll._tail(base.tmp / "baseline.log")
        )


def report(
    peer: dict[str, Any], base: dict[str, Any], out: Callable[..., None] = print
) -> dict[str, float]:
    """The baseline's own lines and Peerlift ÷ baseline."""
    pc, bc = peer["cpu"], base["cpu"]
    ratios = {
        "throughput": peer["launches_per_s"] / base["launches_per_s"]
        if base["launches_per_s"]
        else float("nan"),
        "tool_cpu_per_launch": pc["tool_ms_per_launch"] / bc["tool_ms_per_launch"]
        if bc["tool_ms_per_launch"]
        else float("nan"),
        "p95": peer["latency_ms"]["p95"] / base["latency_ms"]["p95"]
        if base["latency_ms"]["p95"]
        else float("nan"),
    }
    f = ll._f
    out("")
    out(
        "  Baseline: bare pylti1p3 tool (bench/baseline_pylti1p3.py), same launches, "
        "interleaved in chunks"
    )
    out(f"    {'':<22}{'Peerlift':>10}{'baseline':>10}{'ratio':>8}")
    rows = [
        ("launches/s", peer["launches_per_s"], base["launches_per_s"], ratios["throughput"]),
        ("p50 ms", peer["latency_ms"]["p50"], base["latency_ms"]["p50"], None),
        ("p95 ms", peer["latency_ms"]["p95"], base["latency_ms"]["p95"], ratios["p95"]),
        (
            "tool CPU ms/launch",
            pc["tool_ms_per_launch"],
            bc["tool_ms_per_launch"],
            ratios["tool_cpu_per_launch"],
        ),
        ("postgresql ms/launch", pc["postgres_ms_per_launch"], bc["postgres_ms_per_launch"], None),
        ("redis ms/launch", pc["redis_ms_per_launch"], bc["redis_ms_per_launch"], None),
        ("errors", float(peer["errors"]), float(base["errors"]), None),
    ]
    for name, p, b, r in rows:
        out(f"    {name:<22}{f(p, 2):>10}{f(b, 2):>10}{(f(r, 2) + 'x') if r else '':>8}")
    out(
        f"    Peerlift ÷ baseline: throughput {f(ratios['throughput'], 2)}x "
        f"(target >= 2x), tool CPU per launch {f(ratios['tool_cpu_per_launch'], 2)}x "
        "(target <= 0.5x)"
    )
    out(
        f"    machine busy {f(pc['machine_busy_fraction'] * 100, 0)}% / "
        f"{f(bc['machine_busy_fraction'] * 100, 0)}%, other processes "
        f"{f(pc['other_fraction'] * 100, 0)}% / {f(bc['other_fraction'] * 100, 0)}% "
        "(Peerlift's chunks / the baseline's)"
    )
    for e in base["first_errors"]:
        out(f"    baseline #{e['launch']} {e['step']} status={e['status']}: {e['detail'][:240]}")
    return ratios
