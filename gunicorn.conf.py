"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``."""
import multiprocessing
import os
from urllib.parse import parse_qsl, urlencode

from gunicorn.glogging import Logger

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
# Bodies are never logged; query strings are, without what WeChat signs a push with (a
# signature and its nonce, reusable within the timestamp window) or whom it is from.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
REDACTED_QUERY_PARAMETERS = frozenset({"signature", "msg_signature", "nonce", "echostr",
                                       "openid"})


def redact_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, "-" if name.lower() in REDACTED_QUERY_PARAMETERS else value)
                      for name, value in pairs], safe="-")


class RedactingLogger(Logger):
    """gunicorn's logger, with the request line's and %(q)s's query strings redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        raw_uri = environ.get("RAW_URI") or ""
        if "?" in raw_uri:
            path, query = raw_uri.split("?", 1)
            atoms["r"] = (f"{environ.get('REQUEST_METHOD')} {path}?{redact_query(query)} "
                          f"{environ.get('SERVER_PROTOCOL')}")
            atoms["q"] = redact_query(environ.get("QUERY_STRING") or "")
        return atoms


logger_class = RedactingLogger
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


# The app is loaded once, in the master, and workers are forked from it: they share the FAQ
# dictionary's memory instead of each loading it, and a recycled worker starts at once.
preload_app = True


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
