"""/metrics counts what the county needs to watch, on the real journeys, and only for whoever
holds the token."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from tests.conftest import PROJECT_ROOT, _clean, make_app
from tests.helpers import error_code, login
from tests.observability.conftest import METRICS_TOKEN
from tests.observability.journey import OPENID, run_journey
from tests.wechat_server import next_msg_id
from wxapp.extensions import db
from wxapp.wechat import pushes

BEARER = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def value(name: str, **labels) -> float:
    """A sample's value; a label given as a tuple sums the samples of each of its values."""
    for key, wanted in labels.items():
        if isinstance(wanted, tuple):
            return sum(value(name, **dict(labels, **{key: one})) for one in wanted)
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Counts:
    """Samples before and after, so that tests sharing the process's registry can compare."""

    def __init__(self, *samples):
        self.samples = samples
        self.before = [value(name, **labels) for name, labels in samples]

    def moved(self) -> list[float]:
        return [value(name, **labels) - before
                for (name, labels), before in zip(self.samples, self.before, strict=True)]


def scrape(client) -> dict:
    answer = client.get("/metrics", headers=BEARER)
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True))
            for s in family.samples}


def test_metrics_are_refused_without_the_token(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": METRICS_TOKEN}).status_code == 401
    assert client.get("/metrics", headers=BEARER).status_code == 200


def test_metrics_are_not_served_at_all_without_a_configured_token(migrated, base_settings):
    app = make_app(replace(base_settings, metrics_token=""))
    try:
        assert app.test_client().get("/metrics", headers=BEARER).status_code == 404
    finally:
        _clean(app)


def test_the_journey_moves_every_counter_it_should(app_ctx, client, sim, wechat):
    counts = Counts(
        ("wxapp_http_requests_total", {"endpoint": "screening.book",
                                       "method": "POST", "status": "201"}),
        ("wxapp_wechat_pushes_total", {"kind": "text", "outcome": "answered"}),
        ("wxapp_wechat_push_reply_seconds_count", {"outcome": "answered"}),
        ("wxapp_wechat_push_reply_seconds_bucket", {"outcome": "answered", "le": "5.0"}),
        ("wxapp_bot_answers_total", {"channel": "official_account",
                                     "outcome": ("answered", "suggested", "not_answered")}),
        ("wxapp_bookings_total", {"action": "book", "outcome": "scheduled"}),
        ("wxapp_pickups_total", {"action": "request", "outcome": "held"}),
        ("wxapp_cabinet_calls_total", {"call": "redeem", "outcome": "redeemed"}),
        ("wxapp_cabinet_calls_total", {"call": "dispense_result", "outcome": "dispensed"}),
        ("wxapp_cabinet_calls_total", {"call": "id_card_pickup", "outcome": "redeemed"}),
        ("wxapp_wechat_api_calls_total", {"api": "sns/jscode2session", "errcode": "0"}),
    )
    run_journey(client, sim, wechat)
    assert [sample for sample, moved in zip(counts.samples, counts.moved(), strict=True)
            if moved < 1] == []
    seen = scrape(client)
    assert seen[("wxapp_bookings_total", (("action", "book"), ("outcome", "scheduled")))] >= 1
    assert seen[("wxapp_db_pool_checked_out", ())] == 0  # every connection handed back
    assert seen[("wxapp_db_pool_capacity", ())] >= 1


def test_refusals_are_counted_by_reason(app_ctx, client, sim, wechat):
    from tests.observability.journey import _local_village, _slot
    from wxapp.testing.people import couple_body

    village = _local_village()
    slot = _slot(village)
    counts = Counts(
        ("wxapp_bookings_total", {"action": "book", "outcome": "booking.slot_full"}),
        ("wxapp_bookings_total", {"action": "book", "outcome": "screening.couple_required"}),
        ("wxapp_wechat_pushes_total", {"kind": "text", "outcome": "deduplicated"}),
        ("wxapp_wechat_pushes_total", {"kind": "unknown", "outcome": "refused"}),
        ("wxapp_wechat_api_calls_total", {"api": "sns/jscode2session", "errcode": "40029"}),
    )
    for number in range(3):
        headers = login(client, sim, f"rush-{number}")
        client.put("/api/v1/me/screening-couple", headers=headers,
                   json=couple_body(40 + number, village))
        client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot})
    nobody = login(client, sim, "no-couple-yet")
    refused = client.post("/api/v1/me/bookings", headers=nobody,
                          json={"slot_id": _slot(village)})
    assert error_code(refused) == "screening.couple_required"
    msg_id = next_msg_id()
    wechat.say(OPENID, "你好", msg_id=msg_id)
    wechat.say(OPENID, "你好", msg_id=msg_id)  # WeChat's retry
    forged, _ = wechat.push(pushes.text_xml("gh", OPENID, "你好", next_msg_id()),
                            token="not-the-token")
    assert forged.status_code == 403
    assert client.post("/api/v1/auth/login", json={"code": "never-issued"}).status_code >= 400
    assert counts.moved() == [1, 1, 1, 1, 1]


def test_a_handler_failure_is_counted(app_ctx, client, wechat, monkeypatch):
    from wxapp.handlers import endpoint

    def broken(message):
        raise RuntimeError("a bug")

    monkeypatch.setattr(endpoint, "handler_for", lambda message: broken)
    counts = Counts(("wxapp_wechat_pushes_total", {"kind": "text",
                                                   "outcome": "handler_error"}))
    wechat.say(OPENID, "你好")
    assert counts.moved() == [1]


def test_queue_depth_and_failed_jobs_are_read_from_redis(app_ctx, client):
    from rq import Queue

    from wxapp.extensions import get_redis
    from wxapp.jobs import QUEUE_NAME, LoggingWorker

    queue = Queue(QUEUE_NAME, connection=get_redis())
    queue.enqueue(fails)
    queue.enqueue(fails)
    seen = scrape(client)
    assert seen[("wxapp_job_queue_depth", (("queue", QUEUE_NAME),))] == 2
    counts = Counts(("wxapp_jobs_total", {"job": "fails", "outcome": "failed"}))
    LoggingWorker([queue], connection=get_redis()).work(burst=True)
    assert counts.moved() == [2]
    seen = scrape(client)
    assert seen[("wxapp_job_queue_depth", (("queue", QUEUE_NAME),))] == 0
    assert seen[("wxapp_job_queue_failed", (("queue", QUEUE_NAME),))] == 2


def fails():
    raise RuntimeError("a job that fails")


def test_two_processes_writing_add_up_in_multiprocess_mode(tmp_path):
    """What gunicorn's workers do: each process writes its own file, a scrape sums them, and
    a dead worker's in-use gauge is dropped (gunicorn.conf.py's child_exit)."""
    writer = textwrap.dedent("""
        import sys
        from wxapp.observability import metrics
        for _ in range(int(sys.argv[1])):
            metrics.BOOKINGS.labels(action="book", outcome="scheduled").inc()
        metrics.DB_POOL_CHECKED_OUT.inc(2)
        print(__import__("os").getpid())
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    pids = [subprocess.run([sys.executable, "-c", writer, str(n)], env=env, cwd=PROJECT_ROOT,
                           check=True, capture_output=True, text=True).stdout.strip()
            for n in (3, 4)]
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
    assert registry.get_sample_value("wxapp_bookings_total",
                                     {"action": "book", "outcome": "scheduled"}) == 7
    assert registry.get_sample_value("wxapp_db_pool_checked_out", {}) == 4
    multiprocess.mark_process_dead(int(pids[0]), path=str(tmp_path))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
    assert registry.get_sample_value("wxapp_bookings_total",
                                     {"action": "book", "outcome": "scheduled"}) == 7
    assert registry.get_sample_value("wxapp_db_pool_checked_out", {}) == 2


def test_a_booking_whose_commit_fails_is_not_counted(app_ctx, client, sim, monkeypatch):
    from tests.observability.journey import _local_village, _slot
    from wxapp.testing.people import couple_body

    village = _local_village()
    headers = login(client, sim, "commit-fails")
    client.put("/api/v1/me/screening-couple", headers=headers, json=couple_body(60, village))
    slot = _slot(village)
    booked = Counts(("wxapp_bookings_total", {"action": "book", "outcome": "scheduled"}))

    def lost_connection(session):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    session_class = type(db.session())
    real_commit = session_class.commit
    monkeypatch.setattr(session_class, "commit", lost_connection)
    with pytest.raises(OperationalError):
        client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot})
    assert booked.moved() == [0]
    monkeypatch.setattr(session_class, "commit", real_commit)
    answer = client.post("/api/v1/me/bookings", headers=headers, json={"slot_id": slot})
    assert answer.status_code == 201, answer.get_json()
    assert booked.moved() == [1]
