"""Background jobs on RQ.

With a real Redis, jobs go to a queue that ``flask --app wsgi jobs worker`` drains. Without
one (development, one process), RQ runs them synchronously on the in-process Redis: the same
enqueue call and the same job functions, only ``is_async`` differs.
"""
from __future__ import annotations

import logging

from rq import Queue, Retry, SimpleWorker

from wxapp.extensions import get_redis, redis_is_real
from wxapp.observability.logs import current_request_id, request_id_bound
from wxapp.transactions import after_commit

log = logging.getLogger(__name__)
QUEUE_NAME = "wxapp"


def get_queue() -> Queue:
    return Queue(QUEUE_NAME, connection=get_redis(), is_async=redis_is_real())


def enqueue(func, *args, retries: int = 3, **kwargs):
    """Enqueue now. Prefer ``enqueue_after_commit`` inside a request or job."""
    # The request (or job) that enqueued it lends the job its request id: a resident's
    # complaint quoting the id finds the request and the message sent for it later.
    meta = {"request_id": current_request_id()}
    return get_queue().enqueue(func, *args, retry=Retry(max=retries, interval=[10, 60, 300]),
                               meta=meta, **kwargs)


def enqueue_after_commit(func, *args, **kwargs) -> None:
    after_commit(lambda: enqueue(func, *args, **kwargs))


class LoggingWorker(SimpleWorker):
    """Runs each job with the request id it was enqueued with, and counts how it ended."""

    def perform_job(self, job, queue, execution) -> bool:
        from wxapp.observability import metrics

        request_id = (job.meta or {}).get("request_id") or f"job-{job.id}"
        with request_id_bound(request_id, job_id=job.id):
            succeeded = super().perform_job(job, queue, execution)
        metrics.JOBS.labels(job=metrics.job_name(job.func_name),
                            outcome="succeeded" if succeeded else "failed").inc()
        return succeeded


def run_worker(burst: bool = False) -> None:
    # SimpleWorker runs jobs in this process, inside the app context the CLI pushed; a forking
    # worker would share the parent's database connections with its children.
    worker = LoggingWorker([get_queue()], connection=get_redis())
    worker.work(burst=burst, with_scheduler=not burst)
