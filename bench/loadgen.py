"""A small closed-loop load generator and a gunicorn launcher shared by the benchmarks.

Each client thread keeps one HTTP/1.1 connection and sends its next request when the previous
answer arrived; latencies are measured per request on the client side. Only loopback targets.
"""
from __future__ import annotations

import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: dict = field(default_factory=dict)


@dataclass
class Result:
    latencies_ms: list[float]
    statuses: Counter
    seconds: float

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        index = min(len(data) - 1, max(0, round(p / 100 * len(data) + 0.5) - 1))
        return data[index]

    def summary(self) -> str:
        return (f"{self.count} requests in {self.seconds:.2f}s: {self.rps:,.0f} req/s, "
                f"p50 {self.percentile(50):.2f} ms, p99 {self.percentile(99):.2f} ms, "
                f"statuses {dict(self.statuses)}")


def run_load(port: int, requests_for_client: Callable[[int], Iterator[Request]],
             clients: int) -> Result:
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local_lat, local_status = [], Counter()
        for req in requests_for_client(index):
            start = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=req.body, headers=req.headers)
                response = conn.getresponse()
                response.read()
                local_status[response.status] += 1
            except (OSError, http.client.HTTPException) as exc:
                local_status[type(exc).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local_lat.append((time.perf_counter() - start) * 1000)
        conn.close()
        with lock:
            latencies.extend(local_lat)
            statuses.update(local_status)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(latencies, statuses, time.perf_counter() - started)


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


@contextmanager
def gunicorn(app_spec: str, port: int, workers: int, env: dict | None = None,
             threads: int = 1):
    # The production config file, with the worker count and thread count of this run and
    # no access log (both apps measured alike).
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"),
           app_spec, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", str(threads), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, start_new_session=True,
                            env={**os.environ, "GUNICORN_ACCESS_LOG": "", **(env or {})})
    try:
        wait_for_port(port)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cpu_seconds(match: str) -> float:
    """CPU time (user + system) used so far by every process whose command line contains
    `match`: where a run's CPU went (server, database, load generator) on a shared machine.
    Children already reaped count too (a gunicorn worker recycled after max_requests lives on
    in its master's figures), so a difference over a run loses nothing."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            if match not in cmdline:
                continue
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            # utime, stime, and cutime, cstime of waited-for children
            total += sum(int(value) for value in fields[11:15]) / ticks
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
            continue
    return total
