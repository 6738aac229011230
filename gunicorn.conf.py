"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``."""
import multiprocessing
import os
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from gunicorn.glogging import Logger

# Every worker keeps its metrics in a file here and /metrics adds them up (prometheus_client's
# multiprocess mode). One directory per gunicorn master: set before the app (and so
# prometheus_client) is imported, emptied when the master starts so that an earlier run's
# counts are not added to this one's.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="wxapp-metrics-")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Requests are short (WeChat wants an answer within 5 s); threads cover the waits on
# PostgreSQL, Redis and WeChat without many processes.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak never becomes an outage; with the app
# preloaded (below) a new worker is a fork, not a second of start-up.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Bodies are never logged. Query strings are, except on /wechat (where WeChat puts what it
# signs a push with and whom it is from), and without the signed names anywhere else.
REDACTED_QUERY_PARAMETERS = frozenset({"signature", "msg_signature", "timestamp", "nonce",
                                       "echostr", "openid"})
QUERYLESS_PATHS = ("/wechat",)


def redact_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, "-" if name.lower() in REDACTED_QUERY_PARAMETERS else value)
                      for name, value in pairs], safe="-")


def access_fields(environ, status: str, sent: int | None, request_time) -> dict:
    """What one access line says: no body, no query on /wechat, the request's id."""
    path = environ.get("PATH_INFO") or "/"
    query = environ.get("QUERY_STRING") or ""
    fields = {
        "method": environ.get("REQUEST_METHOD"),
        "path": path,
        "status": int(str(status).split(None, 1)[0]) if status else None,
        "bytes": sent,
        "duration_ms": round(request_time.total_seconds() * 1000, 1),
        "remote_addr": environ.get("REMOTE_ADDR"),
        "request_id": environ.get("wxapp.request_id"),
    }
    if query and not path.startswith(QUERYLESS_PATHS):
        fields["query"] = redact_query(query)
    return fields


class StructuredLogger(Logger):
    """gunicorn's logger writing through the app's ProcessorFormatter: the same JSON (or
    console) lines as the app, the same scrubber, an access event per request."""

    def setup(self, cfg):
        super().setup(cfg)
        from wxapp.config import Settings
        from wxapp.observability.logs import formatter

        json_lines = Settings.from_env().log_json
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter(json_lines))

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        try:
            self.access_log.info("access", extra=access_fields(
                environ, getattr(resp, "status", None), getattr(resp, "sent", None),
                request_time))
        except Exception:
            self.exception("could not write an access line")


logger_class = StructuredLogger
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


# The app is loaded once, in the master, and workers are forked from it: they share the FAQ
# dictionary's memory instead of each loading it, and a recycled worker starts at once.
preload_app = True


def on_starting(server):
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    # A dead worker's counters stay in the sums; its live gauges (pool use) are dropped.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def when_ready(server):
    import gc

    from wxapp import finish_warm_up

    # No worker may be forked while the warm-up thread holds the tokenizer's lock.
    finish_warm_up()
    # What the master loaded is shared with the workers: keep the collector off it, so that
    # copy-on-write pages stay shared.
    gc.freeze()


def post_fork(server, worker):
    from wxapp import after_fork

    after_fork(server.app.wsgi())
