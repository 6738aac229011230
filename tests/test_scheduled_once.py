"""`jobs daily` and `jobs frequent` run once per period however many instances' timers fire."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from tests.china_clock import at_china
from wxapp.china_time import CHINA, utc_now
from wxapp.jobs.schedule import run_once_per_period

WAIT = 30  # generous: a busy machine may be slow to start a thread, never this slow


def test_two_instances_at_once_run_the_work_once(app):
    inside, release = threading.Event(), threading.Event()
    runs, results = [], {}

    def work():
        runs.append(threading.current_thread().name)
        inside.set()
        assert release.wait(WAIT)
        return "done"

    def instance():
        with app.app_context():
            results[threading.current_thread().name] = run_once_per_period("daily", work)

    first = threading.Thread(target=instance, name="first")
    first.start()
    assert inside.wait(WAIT)
    second = threading.Thread(target=instance, name="second")
    second.start()
    second.join(WAIT)  # answered while the first still runs
    release.set()
    first.join(WAIT)
    assert runs == ["first"]
    assert results["first"].ran and results["first"].result == "done"
    assert results["second"].reason == "running_elsewhere"
    with app.app_context():
        # Later the same China day (a third instance's timer): done already.
        assert run_once_per_period("daily", work).reason == "already_ran"
        # The next day runs again.
        release.set()
        assert run_once_per_period("daily", work, now=utc_now() + timedelta(days=1)).ran
    assert len(runs) == 2


def test_many_instances_at_the_same_instant_one_runs(app):
    instances = 4
    start = threading.Barrier(instances)
    skipped = threading.Semaphore(0)
    runs, reasons = [], []

    def work():
        runs.append(1)
        for _ in range(instances - 1):  # stay inside until every other instance has answered
            assert skipped.acquire(timeout=WAIT)

    def instance():
        with app.app_context():
            start.wait(WAIT)
            outcome = run_once_per_period("frequent", work)
            reasons.append(outcome.reason)
            if not outcome.ran:
                skipped.release()

    threads = [threading.Thread(target=instance) for _ in range(instances)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert runs == [1]
    assert sorted(reasons) == ["ran"] + ["running_elsewhere"] * (instances - 1)


def test_a_failed_run_leaves_the_period_to_the_next_timer(app):
    def broken():
        raise RuntimeError("database away")

    with app.app_context():
        with pytest.raises(RuntimeError):
            run_once_per_period("daily", broken)
        assert run_once_per_period("daily", lambda: "second try").result == "second try"


def test_the_commands_skip_a_period_already_done(app):
    runner = app.test_cli_runner()
    with at_china(datetime(2027, 6, 30, 10, 0, 5, tzinfo=CHINA)):
        assert "pickup codes expired: 0" in runner.invoke(args=["jobs", "frequent"]).output
        assert "skipped" in runner.invoke(args=["jobs", "frequent"]).output
        assert "pickup codes expired" in runner.invoke(
            args=["jobs", "frequent", "--rerun"]).output
        assert "deadline reminders" in runner.invoke(args=["jobs", "daily"]).output
        assert "skipped" in runner.invoke(args=["jobs", "daily"]).output
