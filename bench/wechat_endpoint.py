"""Requests per second and latency of a safe-mode text push to /wechat under gunicorn,
side by side with a gunicorn "hello world" Flask route on the same machine and worker count.

    .venv/bin/python bench/wechat_endpoint.py [--requests 4000] [--clients 16] [--workers 2]
                                              [--floor]

--floor also measures bench/wechat_floor_app.py, the steps the issue asks of a push with
nothing around them, to tell what the product adds from what the steps themselves cost.

Targets (issue 2): ratio wxapp/hello at least 0.5; p99 under 50 ms at 16 clients.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import Request, cpu_seconds, gunicorn, run_load
from wxapp.config import DEV_WECHAT_APP_ID, DEV_WECHAT_ENCODING_AES_KEY, DEV_WECHAT_TOKEN
from wxapp.wechat import pushes


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


def mandatory_steps_cpu(redis_url: str | None, repeat: int = 3000) -> dict[str, float]:
    """CPU milliseconds per push of each step the issue asks of /wechat, one by one in this
    process, unloaded: what a push must spend on top of a bare route."""
    import redis as redis_py
    from wechatpy import parse_message
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.replies import TextReply

    from wxapp.handlers.push_security import check_signature, field, parse_safe_xml

    client = redis_py.Redis.from_url(redis_url) if redis_url else None
    crypto = WeChatCrypto(DEV_WECHAT_TOKEN, DEV_WECHAT_ENCODING_AES_KEY, DEV_WECHAT_APP_ID)
    xml = pushes.text_xml("gh_bench", "o_steps", "菜单", 1)
    query, body = pushes.build_push(xml, DEV_WECHAT_TOKEN, "safe",
                                    encoding_aes_key=DEV_WECHAT_ENCODING_AES_KEY,
                                    appid=DEV_WECHAT_APP_ID)
    ts, nonce = query["timestamp"], query["nonce"]
    encrypt = field(parse_safe_xml(body), "Encrypt")
    inner = crypto.decrypt_message({"Encrypt": encrypt}, query["msg_signature"], ts, nonce)
    message = parse_message(inner)
    reply = TextReply(message=message, content="菜单文字" * 20).render()

    def claim():
        pipe = client.pipeline(transaction=False)
        pipe.set("bench:steps:claim", b"x", nx=True, ex=30)
        pipe.get("bench:steps:state")
        pipe.execute()

    steps = {
        "two signature checks": lambda: (
            check_signature(DEV_WECHAT_TOKEN, query["signature"], ts, nonce),
            check_signature(DEV_WECHAT_TOKEN, query["msg_signature"], ts, nonce, encrypt)),
        "safe XML parse of the envelope": lambda: parse_safe_xml(body),
        "AES decrypt (wechatpy)": lambda: crypto.decrypt_message(
            {"Encrypt": encrypt}, query["msg_signature"], ts, nonce),
        "safe XML parse of the message": lambda: parse_safe_xml(inner.encode("utf-8")),
        "wechatpy parse_message": lambda: parse_message(inner),
        "reply XML (wechatpy TextReply)": lambda: TextReply(message=message,
                                                            content="菜单").render(),
        "AES encrypt of the reply (wechatpy)": lambda: crypto.encrypt_message(reply, "n", ts),
    }
    if client is not None:
        steps["Redis: claim + chat state (one pipeline)"] = claim
        steps["Redis: remember the reply"] = lambda: client.set("bench:steps:reply", reply,
                                                                  ex=600)
    out = {}
    for name, step in steps.items():
        step()
        started = time.process_time()
        for _ in range(repeat):
            step()
        out[name] = 1000 * (time.process_time() - started) / repeat
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
    parser.add_argument("--floor", action="store_true",
                        help="also measure bench/wechat_floor_app.py (the issue's steps and "
                             "nothing else) in the same alternation; needs REDIS_URL")
    args = parser.parse_args()
    if args.floor and not os.environ.get("REDIS_URL"):
        parser.error("--floor needs REDIS_URL")

    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
               "WECHAT_API_BASE_URL": "http://127.0.0.1:9/"}
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                       check=True, env={**os.environ, **env}, capture_output=True)

        hello_requests = [Request("POST", "/hello")] * args.requests
        # MsgIds never seen before, also by an earlier run within the dedupe window: a
        # repeated one would be answered from the cache, which is cheaper.
        first_id = time.time_ns() // 1000
        pushes_by_round = [build_pushes(args.requests, first_id + args.requests * r)
                           for r in range(args.rounds)]
        floor_pushes = [build_pushes(args.requests, first_id + args.requests * (args.rounds + r))
                        for r in range(args.rounds)] if args.floor else []
        hello_runs, wechat_runs, floor_runs = [], [], []
        cpu = {"hello": 0.0, "wxapp": 0.0, "floor": 0.0, "load generator": 0.0}
        matches = {"hello": "127.0.0.1:18081", "wxapp": "127.0.0.1:18082",
                   "floor": "127.0.0.1:18083", "load generator": "bench/wechat_endpoint.py"}

        def measured(name, port, reqs):
            before = {k: cpu_seconds(m) for k, m in matches.items()}
            result = run_load(port, split(reqs, args.clients), args.clients)
            for k, m in matches.items():
                cpu[k] += cpu_seconds(m) - before[k]
            return result
        # Both servers up at once and measured in alternation, so that a noisy moment on
        # the machine does not favour one of them.
        with contextlib.ExitStack() as servers:
            servers.enter_context(gunicorn("bench.hello_app:app", 18081, args.workers,
                                           threads=args.threads))
            servers.enter_context(gunicorn("wsgi:app", 18082, args.workers, env=env,
                                           threads=args.threads))
            if args.floor:
                servers.enter_context(gunicorn("bench.wechat_floor_app:app", 18083, args.workers,
                                               env=env, threads=args.threads))
                run_load(18083, split(build_pushes(300, first_id - 600), args.clients),
                         args.clients)
            run_load(18081, split(hello_requests[:300], args.clients), args.clients)
            run_load(18082, split(build_pushes(300, first_id - 300), args.clients), args.clients)
            for r, round_pushes in enumerate(pushes_by_round):
                hello_runs.append(measured("hello", 18081, hello_requests))
                wechat_runs.append(measured("wxapp", 18082, round_pushes))
                if args.floor:
                    floor_runs.append(measured("floor", 18083, floor_pushes[r]))

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
    if floor_runs:
        floor = sorted(floor_runs, key=lambda r: r.rps)[len(floor_runs) // 2]
        print(f"floor app, the issue's steps and nothing else (median round): {floor.summary()}")
        print(f"floor ratio (floor/hello req/s): {floor.rps / hello.rps:.2f}; server CPU per "
              f"request {1000 * cpu['floor'] / total:.2f} ms")
    steps = mandatory_steps_cpu(os.environ.get("REDIS_URL"))
    print("CPU of each step a push must take, measured alone in this process:")
    for name, ms in steps.items():
        print(f"  {name}: {ms:.3f} ms")
    print(f"  sum: {sum(steps.values()):.3f} ms, alone and unloaded. Under the load above a "
          f"whole hello-world request costs {1000 * cpu['hello'] / total:.2f} ms of server "
          "CPU; the ratio reaches 0.5 only if /wechat's extra over it (these steps, loaded, "
          "plus reading the request, routing and answering) fits within that.")


if __name__ == "__main__":
    main()
