"""One JSON line per event (production) or a readable line (development), each with the
request id of the request or job it belongs to, and nothing personal in it.

Code keeps logging through the standard library (``logging.getLogger(__name__)``) or
structlog; both end in the same ProcessorFormatter, so werkzeug's, RQ's and gunicorn's records
get the request id and the scrubber too. The scrubber runs after exceptions became text, as
the last step before rendering.
"""
from __future__ import annotations

import logging
import sys
import uuid
from contextlib import contextmanager

import structlog

from wxapp.observability.scrub import scrub_event

REQUEST_ID_KEY = "request_id"

SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.StackInfoRenderer(),
]


# Fields a standard-library record may carry as ``extra=`` (gunicorn's access line).
EXTRA_FIELDS = ("method", "path", "query", "status", "bytes", "duration_ms", "remote_addr",
                REQUEST_ID_KEY)


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the moment (pytest's capture swaps it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def formatter(json_lines: bool) -> logging.Formatter:
    renderer = (structlog.processors.JSONRenderer(ensure_ascii=False) if json_lines
                else structlog.dev.ConsoleRenderer(colors=False))
    return structlog.stdlib.ProcessorFormatter(
        # ExtraAdder: fields given as `extra=` (gunicorn's access line) become keys.
        foreign_pre_chain=[*SHARED_PROCESSORS, structlog.stdlib.ExtraAdder(EXTRA_FIELDS)],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            scrub_event,
            renderer,
        ],
    )


def handler(json_lines: bool, stream=None) -> logging.Handler:
    out = logging.StreamHandler(stream or _CurrentStderr())
    out.setFormatter(formatter(json_lines))
    out._wxapp = True  # type: ignore[attr-defined]
    return out


def configure_logging(json_lines: bool, level: int = logging.INFO) -> None:
    """Route structlog through the standard library and give the root logger our one
    handler (replacing ours from an earlier call; pytest's own handlers stay)."""
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_wxapp", False)]:
        root.removeHandler(old)
    root.addHandler(handler(json_lines))
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get(REQUEST_ID_KEY)


@contextmanager
def request_id_bound(request_id: str | None = None, **more):
    """Every log line inside carries ``request_id`` (a new one when none is given)."""
    request_id = request_id or new_request_id()
    with structlog.contextvars.bound_contextvars(**{REQUEST_ID_KEY: request_id}, **more):
        yield request_id
