"""``/metrics`` in Prometheus' text format, and the per-request counters behind it.

Not for the public: it answers 404 unless ``METRICS_TOKEN`` is set, and then only to
``Authorization: Bearer <token>`` (401 otherwise); deploy/nginx/wxapp.conf does not pass
``/metrics`` on either, so the scraper talks to each instance's gunicorn port directly.
With ``PROMETHEUS_MULTIPROC_DIR`` set, the numbers are every gunicorn worker's together.
"""
from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from wxapp.extensions import get_redis
from wxapp.observability import metrics

bp = Blueprint("metrics", __name__)
STARTED_KEY = "wxapp.started"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class QueueCollector:
    """Queue depth and failed jobs, read from Redis at scrape time (shared by instances)."""

    def __init__(self, redis_client):
        self.redis = redis_client

    def collect(self):
        from rq import Queue

        from wxapp.jobs import QUEUE_NAME

        queue = Queue(QUEUE_NAME, connection=self.redis)
        depth = GaugeMetricFamily("wxapp_job_queue_depth", "Jobs waiting in the queue.",
                                  labels=["queue"])
        depth.add_metric([QUEUE_NAME], queue.count)
        failed = GaugeMetricFamily("wxapp_job_queue_failed",
                                   "Jobs in the failed registry (retries used up).",
                                   labels=["queue"])
        failed.add_metric([QUEUE_NAME], queue.failed_job_registry.count)
        yield depth
        yield failed


def _authorised() -> bool:
    token = current_app.config["WXAPP"].metrics_token
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(),
                                                              token.encode())


@bp.get("/metrics")
def metrics_page():
    if not current_app.config["WXAPP"].metrics_token:
        return Response("not found\n", status=404, mimetype="text/plain")
    if not _authorised():
        return Response("metrics need the bearer token\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    shared = CollectorRegistry(auto_describe=True)
    shared.register(QueueCollector(get_redis()))
    body = generate_latest(registry) + generate_latest(shared)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def register_metrics(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.after_request
    def _count_request(response):
        started = request.environ.get(STARTED_KEY)
        endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
        method = request.method if request.method in KNOWN_METHODS else "other"
        status = str(response.status_code)
        metrics.HTTP_REQUESTS.labels(endpoint, method, status).inc()
        if started is not None:
            metrics.HTTP_LATENCY.labels(endpoint, method, status).observe(
                time.perf_counter() - started)
        return response
