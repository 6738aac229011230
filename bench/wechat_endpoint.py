"""Requests per second and latency of a safe-mode text push to /wechat under gunicorn,
side by side with a gunicorn "hello world" Flask route on the same machine and worker count.

    .venv/bin/python bench/wechat_endpoint.py [--requests 4000] [--clients 16] [--workers 2]

Targets (issue 2): ratio wxapp/hello at least 0.5; p99 under 50 ms at 16 clients.
"""
from __future__ import annotations

import argparse
import subprocess
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import Request, cpu_seconds, gunicorn, run_load  # noqa: E402
from wxapp.config import (DEV_WECHAT_APP_ID, DEV_WECHAT_ENCODING_AES_KEY,  # noqa: E402
                          DEV_WECHAT_TOKEN)
from wxapp.wechat import pushes  # noqa: E402


def build_pushes(total: int, first_msg_id: int) -> list[Request]:
    """Distinct MsgIds: a repeated one would be answered from the dedupe cache."""
    out = []
    for i in range(total):
        xml = pushes.text_xml("gh_bench", f"o_bench_{i % 500}", "菜单", first_msg_id + i)
        query, body = pushes.build_push(xml, DEV_WECHAT_TOKEN, "safe",
                                        encoding_aes_key=DEV_WECHAT_ENCODING_AES_KEY,
                                        appid=DEV_WECHAT_APP_ID)
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        out.append(Request("POST", f"/wechat?{qs}", body, {"Content-Type": "text/xml"}))
    return out


def split(items: list, parts: int):
    return lambda index: iter(items[index::parts])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4,
                        help="gthread threads per worker, as gunicorn.conf.py runs them")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate the two apps this many times; medians are printed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
               "WECHAT_API_BASE_URL": "http://127.0.0.1:9/"}
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                       check=True, env={**os.environ, **env}, capture_output=True)

        hello_requests = [Request("POST", "/hello")] * args.requests
        pushes_by_round = [build_pushes(args.requests, 10_000_000 * (r + 1))
                           for r in range(args.rounds)]
        hello_runs, wechat_runs = [], []
        cpu = {"hello": 0.0, "wxapp": 0.0, "load generator": 0.0}
        matches = {"hello": "127.0.0.1:18081", "wxapp": "127.0.0.1:18082",
                   "load generator": "bench/wechat_endpoint.py"}

        def measured(name, port, reqs):
            before = {k: cpu_seconds(m) for k, m in matches.items()}
            result = run_load(port, split(reqs, args.clients), args.clients)
            for k, m in matches.items():
                cpu[k] += cpu_seconds(m) - before[k]
            return result
        # Both servers up at once and measured in alternation, so that a noisy moment on
        # the machine does not favour one of them.
        with gunicorn("bench.hello_app:app", 18081, args.workers, threads=args.threads), \
                gunicorn("wsgi:app", 18082, args.workers, env=env, threads=args.threads):
            run_load(18081, split(hello_requests[:300], args.clients), args.clients)
            run_load(18082, split(build_pushes(300, 1_000), args.clients), args.clients)
            for round_pushes in pushes_by_round:
                hello_runs.append(measured("hello", 18081, hello_requests))
                wechat_runs.append(measured("wxapp", 18082, round_pushes))

    hello = sorted(hello_runs, key=lambda r: r.rps)[len(hello_runs) // 2]
    wx = sorted(wechat_runs, key=lambda r: r.rps)[len(wechat_runs) // 2]
    print(f"workers={args.workers} threads={args.threads} clients={args.clients} "
          f"rounds={args.rounds} redis={'real' if 'REDIS_URL' in env else 'in-process'}")
    print(f"hello world (median round): {hello.summary()}")
    print(f"/wechat safe (median round): {wx.summary()}")
    print(f"ratio (wechat/hello req/s): {wx.rps / hello.rps:.2f}  (target >= 0.5)")
    total = args.requests * args.rounds
    print(f"server CPU per request: hello {1000 * cpu['hello'] / total:.2f} ms, "
          f"/wechat {1000 * cpu['wxapp'] / total:.2f} ms; load generator (both) "
          f"{1000 * cpu['load generator'] / (2 * total):.2f} ms")
    print(f"p99 /wechat: {wx.percentile(99):.2f} ms  (target < 50 ms)")


if __name__ == "__main__":
    main()
