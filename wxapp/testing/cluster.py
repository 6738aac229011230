"""Two (or more) gunicorn instances behind nginx on free loopback ports, run from the
repository's own deploy/nginx/wxapp.conf and gunicorn.conf.py: for tests/scaleout/ and
bench/scale_out.py. Each instance is a process group (master + workers) that can be killed
as a lost machine would be."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx" / "wxapp.conf"
READY_WITHIN_SECONDS = 90


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
         if os.access(path, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while True:
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up at {url}")
        time.sleep(0.2)  # polling a subprocess


def cpu_seconds_of_group(pgid: int) -> float:
    """User + system CPU of every live process in the group (master and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # After the name: state ppid pgrp ... utime(12th) stime(13th) counted from state=0.
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


@dataclass
class Instance:
    port: int
    process: subprocess.Popen
    metrics_dir: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    env: dict
    instances: int = 2
    workers: int = 2
    threads: int = 4
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wxapp-cluster-")))
    running: list[Instance] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    proxy_port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def start(self) -> Cluster:
        for _ in range(self.instances):
            self.running.append(self._start_instance())
        for instance in self.running:
            wait_until_up(instance.url + "/healthz", instance.process, "gunicorn")
        self._start_nginx()
        return self

    def _start_instance(self) -> Instance:
        port = free_port()
        metrics_dir = tempfile.mkdtemp(prefix="metrics-", dir=self.workdir)
        env = {**os.environ, **self.env, "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
               "GUNICORN_ACCESS_LOG": str(self.workdir / f"access-{port}.log")}
        with open(self.workdir / f"gunicorn-{port}.log", "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"),
                 "wsgi:app", "--bind", f"127.0.0.1:{port}", "--workers", str(self.workers),
                 "--threads", str(self.threads), "--max-requests", "0"],
                cwd=PROJECT_ROOT, env=env, start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=log)
        return Instance(port, process, metrics_dir)

    def _start_nginx(self) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed")
        self.proxy_port = free_port()
        site = NGINX_CONF.read_text()
        servers = "\n".join(f"    server 127.0.0.1:{i.port} max_fails=1 fail_timeout=10s;"
                            for i in self.running)
        lines = [line for line in site.splitlines()
                 if not line.strip().startswith("server 127.0.0.1:")]
        site = "\n".join(lines).replace("keepalive 32;", servers.strip() + "\n    keepalive 32;")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.proxy_port};")
        site = site.replace("/var/log/nginx/", f"{self.workdir}/")
        (self.workdir / "wxapp.conf").write_text(site)
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.workdir / temp).mkdir(exist_ok=True)
        (self.workdir / "nginx.conf").write_text(f"""
worker_processes 1;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {self.workdir}/body;
    proxy_temp_path {self.workdir}/proxy;
    fastcgi_temp_path {self.workdir}/fastcgi;
    uwsgi_temp_path {self.workdir}/uwsgi;
    scgi_temp_path {self.workdir}/scgi;
    include {self.workdir}/wxapp.conf;
}}
""")
        self.nginx = subprocess.Popen(
            [binary, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"),
             "-e", str(self.workdir / "nginx-error.log"), "-g", "daemon off;"],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_until_up(self.url + "/healthz", self.nginx, "nginx")

    def kill(self, index: int) -> None:
        """The machine is gone: master and workers, at once, mid-request."""
        os.killpg(self.running[index].process.pid, signal.SIGKILL)
        self.running[index].process.wait(timeout=30)

    def cpu_seconds(self) -> dict[str, float]:
        seen = {f"gunicorn:{i.port}": cpu_seconds_of_group(i.process.pid)
                for i in self.running if i.process.poll() is None}
        if self.nginx is not None:
            seen["nginx"] = cpu_seconds_of_group(self.nginx.pid)
        return seen

    def stop(self) -> None:
        for instance in self.running:
            if instance.process.poll() is None:
                os.killpg(instance.process.pid, signal.SIGTERM)
        if self.nginx is not None and self.nginx.poll() is None:
            os.killpg(self.nginx.pid, signal.SIGTERM)
        for process in [i.process for i in self.running] + ([self.nginx] if self.nginx else []):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(self.workdir, ignore_errors=True)
