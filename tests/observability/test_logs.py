"""Logs are one JSON object a line, each with the request id of what it belongs to, and no
resident's ID number, phone number or push signature in any of them."""
from __future__ import annotations

import json
import logging

import pytest

from tests.factories import female_id
from tests.observability.journey import MOTHER_ID, MOTHER_PHONE, OPENID, run_journey
from wxapp.observability.scrub import scrub, scrub_text


def _lines(captured: str) -> list[dict]:
    """Every line written, parsed: a line that is not JSON fails the test."""
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


# -- the scrubber ------------------------------------------------------------------------------
@pytest.mark.parametrize("number", [female_id(), "11010519491231002X", "11010519491231002x",
                                    "13812345678", "+8613812345678", "86-13812345678"])
def test_scrubber_removes_id_and_mobile_numbers_wherever_they_stand(number):
    for text in (number, f"身份证{number}。", f"id={number}&x=1", f"'{number}'"):
        assert number.lstrip("+") not in scrub_text(text)


def test_scrubber_leaves_other_numbers_and_masked_values_alone():
    kept = ["3201********1234", "138****5678", "order 123456789012345678901",
            "1700000000", "1733000000123", "02583123456", "12345678901"]
    for text in kept:
        assert scrub_text(text) == text


def test_scrubber_blanks_what_wechat_signs_a_push_with():
    line = ("POST /wechat?signature=abc123&timestamp=1733000000&nonce=9876&openid=o_abc"
            "&msg_signature=def&encrypt_type=aes HTTP/1.1")
    cleaned = scrub_text(line)
    for secret in ("abc123", "1733000000", "9876", "o_abc", "def&"):
        assert secret not in cleaned
    assert "encrypt_type=aes" in cleaned


def test_scrubber_follows_nested_values_and_numbers():
    event = {"a": [{"b": (MOTHER_ID, 13812345678)}], "c": {"d": MOTHER_PHONE}, "n": 42}
    assert MOTHER_ID not in repr(scrub(event)) and "13812345678" not in repr(scrub(event))
    assert MOTHER_PHONE not in repr(scrub(event)) and scrub(event)["n"] == 42


# -- request ids -------------------------------------------------------------------------------
def test_every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept(client):
    made = client.get("/healthz").headers["X-Request-Id"]
    again = client.get("/healthz").headers["X-Request-Id"]
    assert len(made) == 32 and made != again
    kept = client.get("/healthz", headers={"X-Request-Id": "nginx-7f3a9c2e11"})
    assert kept.headers["X-Request-Id"] == "nginx-7f3a9c2e11"
    assert client.get("/nowhere").headers["X-Request-Id"]  # a 404 has one too


@pytest.mark.parametrize("insane", ["short", "x" * 65, "abc def ghij", 'a"},{"b":"c',
                                    MOTHER_ID])
def test_an_insane_incoming_request_id_is_replaced(client, insane):
    answered = client.get("/healthz", headers={"X-Request-Id": insane}).headers["X-Request-Id"]
    assert answered != insane and len(answered) == 32


def test_log_lines_carry_the_request_id_and_are_json(client, capsys):
    from flask import Blueprint

    bp = Blueprint("log_probe", __name__)

    @bp.get("/log-probe")
    def probe():
        logging.getLogger("wxapp.probe").info("probe %s", "written")
        return "ok"

    client.application.register_blueprint(bp)
    response = client.get("/log-probe", headers={"X-Request-Id": "probe-request-0001"})
    lines = _lines(capsys.readouterr().err)
    probe_line = [line for line in lines if line["event"] == "probe written"]
    assert probe_line and probe_line[0]["request_id"] == "probe-request-0001"
    assert probe_line[0]["level"] == "info" and probe_line[0]["logger"] == "wxapp.probe"
    assert response.headers["X-Request-Id"] == "probe-request-0001"


def test_development_logs_read_as_text(capsys):
    from wxapp.observability.logs import configure_logging

    configure_logging(json_lines=False)
    try:
        logging.getLogger("wxapp.probe").warning("readable for %s", MOTHER_PHONE)
        written = capsys.readouterr().err
        assert "readable for [phone]" in written and not written.lstrip().startswith("{")
    finally:
        configure_logging(json_lines=True)


def test_werkzeug_request_lines_lose_the_push_signature(app, capsys):
    logging.getLogger("werkzeug").info(
        '%s - - [%s] "%s" %s -', "127.0.0.1", "30/Nov/2026 10:00:00",
        "POST /wechat?signature=5f2b9a&timestamp=1733000000&nonce=884422&openid=o_reader "
        "HTTP/1.1", "200")
    written = capsys.readouterr().err
    for secret in ("5f2b9a", "1733000000", "884422", "o_reader"):
        assert secret not in written
    assert "POST /wechat?signature=-" in _lines(written)[0]["event"]


def test_a_job_runs_with_the_request_id_it_was_enqueued_with(app, capsys):
    import fakeredis
    from rq import Queue

    from wxapp.jobs import QUEUE_NAME, LoggingWorker
    from wxapp.observability.logs import request_id_bound

    connection = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    queue = Queue(QUEUE_NAME, connection=connection)
    with app.app_context():
        with request_id_bound("enqueuing-request-01"):
            from wxapp.observability.logs import current_request_id

            queue.enqueue(log_from_a_job, MOTHER_PHONE,
                          meta={"request_id": current_request_id()})
        LoggingWorker([queue], connection=connection).work(burst=True)
    lines = _lines(capsys.readouterr().err)
    job_lines = [line for line in lines if line["event"].startswith("in the job")]
    assert job_lines and job_lines[0]["request_id"] == "enqueuing-request-01"
    assert MOTHER_PHONE not in json.dumps(lines, ensure_ascii=False)


def log_from_a_job(phone: str) -> None:
    logging.getLogger("wxapp.jobs.probe").info("in the job, calling %s", phone)


def test_enqueue_hands_the_request_id_to_the_job(app):
    from unittest import mock

    from wxapp import jobs
    from wxapp.observability.logs import request_id_bound

    with (app.app_context(), mock.patch.object(jobs, "get_queue") as get_queue,
          request_id_bound("handing-over-0001")):
        jobs.enqueue(log_from_a_job, "x")
    assert get_queue.return_value.enqueue.call_args.kwargs["meta"] == {
        "request_id": "handing-over-0001"}


# -- the journey -------------------------------------------------------------------------------
def test_a_residents_whole_journey_leaves_none_of_her_numbers_in_any_log_line(
        app_ctx, client, sim, wechat, capsys, monkeypatch):
    from wxapp.handlers import endpoint

    # The first push's handler fails on her message: its traceback quotes her numbers, as a
    # real bug's would, and must reach the log scrubbed.
    real_handler_for = endpoint.handler_for
    failed = []

    def failing_once(message):
        if not failed:
            def handler(msg):
                failed.append(msg)
                raise RuntimeError(f"cannot route {msg.content!r} from {msg.source}")
            return handler
        return real_handler_for(message)

    monkeypatch.setattr(endpoint, "handler_for", failing_once)
    wechat.say(OPENID, f"身份证{MOTHER_ID}电话{MOTHER_PHONE}")
    journey = run_journey(client, sim, wechat)

    written = capsys.readouterr().err
    lines = _lines(written)
    assert failed and any("[id-number]" in json.dumps(line, ensure_ascii=False)
                          and "[phone]" in json.dumps(line, ensure_ascii=False)
                          for line in lines if line.get("exception"))
    for number in journey.numbers:
        assert number not in written, number
        assert number.lower() not in written.lower()
    # Each request's lines carry its id.
    failure = [line for line in lines if line["event"].startswith("handler failed")]
    assert failure and failure[0].get("request_id")
