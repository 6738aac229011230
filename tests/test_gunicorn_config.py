"""The production gunicorn settings: the app preloaded in the master, workers forked from it,
recycled workers (max_requests) serving with their own database and Redis connections."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# A busy 2-core machine (other test runs, argon2 in fixtures) may take many seconds to import
# the app and fork; readiness waits are generous and count any failure, not only refusals.
READY_WITHIN_SECONDS = 60
METRICS_TOKEN = "gunicorn-test-metrics-token"


@pytest.fixture
def access_log(tmp_path):
    return tmp_path / "access.log"


@pytest.fixture
def production_gunicorn(migrated, base_settings, access_log):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": base_settings.database_url,
           "WECHAT_API_BASE_URL": base_settings.wechat_api_base_url,
           "GUNICORN_ACCESS_LOG": str(access_log), "LOG_FORMAT": "json",
           "METRICS_TOKEN": METRICS_TOKEN}
    if base_settings.redis_url:
        env["REDIS_URL"] = base_settings.redis_url
    # Recycling after a handful of requests, so that the test sees forks of forks serve.
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"),
         "wsgi:app", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2",
         "--max-requests", "4", "--max-requests-jitter", "1"],
        cwd=PROJECT_ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_WITHIN_SECONDS
        while True:
            try:
                if requests.get(base + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # refused, reset or timed out: not up yet
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGTERM)
                raise AssertionError(proc.stderr.read().decode(errors="replace")[-2000:])
            time.sleep(0.2)  # polling a subprocess, not waiting for the code under test
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_preloaded_and_recycled_workers_reach_the_database_and_redis(production_gunicorn):
    answers = [requests.get(production_gunicorn + "/readyz", timeout=30) for _ in range(30)]
    assert [a.status_code for a in answers] == [200] * 30
    assert all(a.json()["checks"] == {"database": "ok", "redis": "ok"} for a in answers)


def test_forked_workers_answer_questions_with_the_preloaded_tokenizer(production_gunicorn):
    from wxapp.config import DEV_WECHAT_TOKEN
    from wxapp.wechat import pushes

    for number in range(6):  # across recycled workers too
        xml = pushes.text_xml("gh_test", f"o_fork_{number}", "怀孕了要办什么手续",
                              70_000_000 + number)
        query, body = pushes.build_push(xml, DEV_WECHAT_TOKEN, "plaintext")
        answer = requests.post(production_gunicorn + "/wechat", params=query, data=body,
                               headers={"Content-Type": "text/xml"}, timeout=30)
        assert answer.status_code == 200
        # A reply from the bot: not nothing, not the apology for a failed handler.
        assert "<Content>" in answer.text and "系统开小差" not in answer.text


def _log_once_it_has(path, *wanted: str) -> str:
    """gunicorn writes an access line after the response is sent: read until it is there."""
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while True:
        logged = path.read_text() if path.exists() else ""
        if all(w in logged for w in wanted) or time.monotonic() > deadline:
            return logged
        time.sleep(0.05)


def test_access_log_keeps_push_signatures_nonces_and_openids_out(production_gunicorn,
                                                                   access_log):
    import json

    from wxapp.config import DEV_WECHAT_TOKEN
    from wxapp.wechat import pushes

    xml = pushes.text_xml("gh_test", "o_logged_reader", "你好", 71_000_000)
    query, body = pushes.build_push(xml, DEV_WECHAT_TOKEN, "plaintext")
    answer = requests.post(production_gunicorn + "/wechat", params=query, data=body,
                           headers={"Content-Type": "text/xml"}, timeout=30)
    assert answer.status_code == 200
    requests.get(production_gunicorn + "/healthz?probe=kept&signature=elsewhere", timeout=30)
    logged = _log_once_it_has(access_log, "probe=kept", '"/wechat"')
    # One JSON object a line, the push's without any query string at all.
    lines = [json.loads(line) for line in logged.splitlines() if line.strip()]
    push = [line for line in lines if line.get("path") == "/wechat"]
    assert push and push[0]["method"] == "POST" and push[0]["status"] == 200
    assert "query" not in push[0]
    assert push[0]["request_id"] == answer.headers["X-Request-Id"]
    probe = [line for line in lines if line.get("path") == "/healthz" and "query" in line]
    assert probe[0]["query"] == "probe=kept&signature=-"  # other query strings stay readable
    for secret in (query["signature"], query["nonce"], query["timestamp"], "o_logged_reader",
                   "elsewhere"):
        assert secret not in logged


def _scrape(base: str) -> dict[tuple, float]:
    from prometheus_client.parser import text_string_to_metric_families

    answer = requests.get(base + "/metrics", timeout=30,
                          headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.text)
            for sample in family.samples}


def test_metrics_add_up_every_worker_including_recycled_ones(production_gunicorn):
    """Two workers, recycled every few requests: whichever process answers /metrics, the
    count is every request's, from live and dead workers alike."""
    assert requests.get(production_gunicorn + "/metrics", timeout=30).status_code == 401
    healthz = ("wxapp_http_requests_total",
               (("endpoint", "health.healthz"), ("method", "GET"), ("status", "200")))
    before = _scrape(production_gunicorn).get(healthz, 0)
    for _ in range(24):
        requests.get(production_gunicorn + "/healthz", timeout=30)
    for _ in range(4):  # answered by different (and recycled) workers
        after = _scrape(production_gunicorn)
        assert after[healthz] == before + 24
    assert after[("wxapp_job_queue_depth", (("queue", "wxapp"),))] >= 0
