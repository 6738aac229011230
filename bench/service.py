"""The whole service for a benchmark: a throwaway database, migrations and demo data, the
WeChat simulator in-process, and gunicorn with the production config."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.loadgen import gunicorn
from wxapp.testing.databases import throwaway_postgres
from wxapp.wechat.simulator import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RunningService:
    base_url: str
    sim_url: str
    database: str

    def resident_token(self, user: str) -> str:
        """Log a resident in as the mini-program would (wx.login code → our token)."""
        code = requests.post(self.sim_url + "sim/wx-login", json={"user": user},
                             timeout=10).json()["code"]
        return requests.post(f"{self.base_url}/api/v1/auth/login", json={"code": code},
                             timeout=10).json()["token"]


@contextmanager
def database(base_url: str | None, tmp: str):
    if not base_url or base_url.startswith("sqlite"):
        yield f"sqlite:///{tmp}/bench.sqlite3"
    else:
        with throwaway_postgres(base_url, prefix="wxapp_bench") as url:
            yield url


@contextmanager
def running_service(port: int, workers: int, threads: int):
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        sim = stack.enter_context(serve_in_thread())
        db_url = stack.enter_context(database(os.environ.get("DATABASE_URL"), tmp))
        # Every simulated phone and cabinet comes from 127.0.0.1: per-address rate limits would
        # measure the limiter, not the service.
        env = {"DATABASE_URL": db_url, "WECHAT_API_BASE_URL": sim.base_url,
               "UPLOAD_DIR": f"{tmp}/uploads", "RATE_LIMITS_DISABLED": "true"}
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        for command in (["db", "upgrade"], ["seed", "--demo"]):
            subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command],
                           check=True, env={**os.environ, **env}, capture_output=True, cwd=ROOT)
        stack.enter_context(gunicorn("wsgi:app", port, workers, env=env, threads=threads))
        yield RunningService(f"http://127.0.0.1:{port}", sim.base_url, db_url)
