"""Requests per second through nginx (deploy/nginx/wxapp.conf) with one and with two gunicorn
instances, and straight to one instance without the proxy: the cost of the proxy hop, and
what a second instance adds on this machine. Prints the CPU each process used (each gunicorn
instance's master + workers, nginx, this load generator), so that a bigger machine's gain
can be estimated from where the CPU went.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/scale_out.py [--requests 3000] [--clients 16] [--workers 2]

The load is official-account text pushes (safe mode, distinct MsgIds: verify, decrypt,
dedupe, the FAQ bot, encrypt the reply), the service's busiest path.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import run_load  # noqa: E402
from bench.wechat_endpoint import build_pushes  # noqa: E402
from wxapp.testing.cluster import Cluster, nginx_binary  # noqa: E402
from wxapp.testing.databases import throwaway_postgres  # noqa: E402
from wxapp.wechat.simulator import serve_in_thread  # noqa: E402


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(label: str, port: int, cluster: Cluster, requests: list, clients: int,
            proxied: bool = True) -> None:
    per_client = len(requests) // clients
    warm = requests[:clients * 5]
    run_load(port, lambda i: iter(warm[i * 5:(i + 1) * 5]), clients)
    load = requests[clients * 5:]
    before = cluster.cpu_seconds()
    me_before = own_cpu()
    result = run_load(port, lambda i: iter(load[i * per_client:(i + 1) * per_client]), clients)
    after = cluster.cpu_seconds()
    used = {name: after[name] - before.get(name, 0.0) for name in after}
    if not proxied:
        used.pop("nginx", None)
    used["load generator"] = own_cpu() - me_before
    print(f"{label}: {result.summary()}")
    print("    CPU seconds: " + ", ".join(f"{name} {cpu:.1f}" for name, cpu in used.items())
          + f" (wall {result.seconds:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="per instance")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if nginx_binary() is None:
        sys.exit("nginx is not installed (apt-get install nginx)")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or \
            not os.environ.get("REDIS_URL"):
        sys.exit("instances share PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")

    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        sim = stack.enter_context(serve_in_thread())
        db_url = stack.enter_context(throwaway_postgres(os.environ["DATABASE_URL"],
                                                        prefix="wxapp_bench"))
        env = {"DATABASE_URL": db_url, "REDIS_URL": os.environ["REDIS_URL"],
               "WECHAT_API_BASE_URL": sim.base_url, "UPLOAD_DIR": f"{tmp}/uploads",
               "RATE_LIMITS_DISABLED": "true", "TRUSTED_PROXY_COUNT": "1",
               "GUNICORN_ACCESS_LOG": "", "LOG_FORMAT": "json"}
        for command in (["db", "upgrade"], ["seed"]):
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command],
                           check=True, env={**os.environ, **env}, capture_output=True, cwd=ROOT)
        first_msg_id = int(time.time()) * 1000
        print(f"{os.cpu_count()} cores; {args.workers} workers x {args.threads} threads per "
              f"instance; {args.clients} clients; {args.requests} pushes a run")
        for instances in (1, 2):
            cluster = Cluster(env, instances=instances, workers=args.workers,
                              threads=args.threads).start()
            try:
                total = args.requests + args.clients * 5
                pushes = build_pushes(total, first_msg_id)
                first_msg_id += total
                if instances == 1:
                    direct = cluster.running[0]
                    measure("one instance, no proxy", direct.port, cluster,
                            pushes, args.clients, proxied=False)
                    pushes = build_pushes(total, first_msg_id)
                    first_msg_id += total
                measure(f"{instances} instance(s) through nginx", cluster.proxy_port, cluster,
                        pushes, args.clients)
            finally:
                cluster.stop()


if __name__ == "__main__":
    main()
