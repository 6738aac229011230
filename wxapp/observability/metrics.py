"""The service's Prometheus metrics, importable by services and jobs (no Flask here).

With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn.conf.py sets it up), prometheus_client keeps
each process's values in a file there and ``/metrics`` adds up every worker's; without it
(development, tests) the values live in this process. Labels are bounded sets: endpoint
names, error codes, outcomes, never an id or a person.
"""
from __future__ import annotations

from functools import wraps

from prometheus_client import Counter, Gauge, Histogram

from wxapp.errors import DomainError

# WeChat waits 5 s for a passive reply: buckets are dense around that limit.
REPLY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 4.5, 5.0, 6.0, 10.0)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter("wxapp_http_requests", "Requests answered, by endpoint and status.",
                        ["endpoint", "method", "status"])
HTTP_LATENCY = Histogram("wxapp_http_request_duration_seconds",
                         "Time to answer a request, by endpoint and status.",
                         ["endpoint", "method", "status"], buckets=LATENCY_BUCKETS)
PUSHES = Counter("wxapp_wechat_pushes",
                 "Official-account pushes by outcome: answered, deduplicated, refused, "
                 "unreadable, handler_error.", ["kind", "outcome"])
PUSH_REPLY = Histogram("wxapp_wechat_push_reply_seconds",
                       "Time to reply to an official-account push (WeChat gives up at 5 s).",
                       ["outcome"], buckets=REPLY_BUCKETS)
BOT = Counter("wxapp_bot_answers", "FAQ bot answers by channel and outcome.",
              ["channel", "outcome"])
BOOKINGS = Counter("wxapp_bookings", "Pre-pregnancy check bookings: the resulting status, "
                   "or the refusal's error code.", ["action", "outcome"])
PICKUPS = Counter("wxapp_pickups", "Contraceptive pickup codes: the resulting status (held, "
                  "cancelled), or the refusal's error code.", ["action", "outcome"])
CABINET_CALLS = Counter("wxapp_cabinet_calls", "Calls from self-service cabinets by outcome.",
                        ["call", "outcome"])
WECHAT_CALLS = Counter("wxapp_wechat_api_calls",
                       "Outbound WeChat API calls by errcode (0 ok, -1 unreachable).",
                       ["api", "errcode"])
JOBS = Counter("wxapp_jobs", "Background jobs run by the worker, by outcome.",
               ["job", "outcome"])
SCHEDULED = Counter("wxapp_scheduled_runs", "jobs daily / jobs frequent: ran, or skipped "
                    "because another instance ran it this period.", ["schedule", "outcome"])
# livesum: the gauge files of dead workers are dropped (mark_process_dead), live ones added.
DB_POOL_CHECKED_OUT = Gauge("wxapp_db_pool_checked_out",
                            "Database connections in use, all live processes together.",
                            multiprocess_mode="livesum")
DB_POOL_CAPACITY = Gauge("wxapp_db_pool_capacity",
                         "Database connections the pools may open (size + overflow), all "
                         "live processes together.", multiprocess_mode="livesum")


def job_name(func_name: str | None) -> str:
    return (func_name or "unknown").rsplit(".", 1)[-1]


def api_name(url: str, base_url: str) -> str:
    """``cgi-bin/message/custom/send`` from a full URL: the API, never the query."""
    path = url.split("?", 1)[0]
    if path.startswith(base_url):
        path = path[len(base_url):]
    else:
        path = path.split("://", 1)[-1].partition("/")[2]
    return path.strip("/") or "unknown"


def counted(counter: Counter, outcome_of=lambda result: "ok", **labels):
    """Count each call of a service function: ``outcome_of(result)`` once the transaction it
    wrote in has committed (a booking rolled back, or whose commit fails, never happened), the
    domain error's code when it refuses, ``error`` when it fails otherwise."""

    def decorate(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            # Here, not at the top: gunicorn's master and the multiprocess writers load this
            # module without the app and its database.
            from wxapp.transactions import after_commit

            try:
                result = func(*args, **kwargs)
            except DomainError as exc:
                counter.labels(**labels, outcome=exc.code).inc()
                raise
            except Exception:
                counter.labels(**labels, outcome="error").inc()
                raise
            # The outcome is read now: after the commit the object may be expired.
            done = counter.labels(**labels, outcome=outcome_of(result))
            after_commit(done.inc)
            return result

        return wrapper

    return decorate


def count_pool_use(engine) -> None:
    """Keep the pool gauges in step with SQLAlchemy's pool events. The capacity is added by
    the first checkout in each process: gunicorn's workers are forks of a master that may
    never use the database, and a fork starts with empty metric files of its own."""
    import os

    from sqlalchemy import event

    counted_in: set[int] = set()

    @event.listens_for(engine, "checkout")
    def _out(dbapi_connection, record, proxy):
        if os.getpid() not in counted_in:
            counted_in.add(os.getpid())
            pool = engine.pool
            size = pool.size() if callable(getattr(pool, "size", None)) else 1
            DB_POOL_CAPACITY.inc(size + max(getattr(pool, "_max_overflow", 0), 0))
        DB_POOL_CHECKED_OUT.inc()

    @event.listens_for(engine, "checkin")
    def _in(dbapi_connection, record):
        DB_POOL_CHECKED_OUT.dec()
