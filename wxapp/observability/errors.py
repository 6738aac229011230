"""Error reports to the county's own Sentry server, when ``SENTRY_DSN`` names one.

Off unless configured: nothing is sent anywhere by default. What is sent carries no request
bodies, no local variables and no cookies or user (``send_default_pii`` off), and every string
left in the event (messages, exception values, URLs, query strings, breadcrumbs) passes the
same scrubber as the logs, so ID numbers, phone numbers and push signatures stay here.
"""
from __future__ import annotations

from wxapp.observability.scrub import scrub


def scrub_sentry_event(event, hint=None):
    return scrub(event)


def scrub_breadcrumb(crumb, hint=None):
    return scrub(crumb)


def init_error_reporting(settings, transport=None) -> bool:
    """Start sentry-sdk when ``settings.sentry_dsn`` is set; True when it did."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.env,
        integrations=[FlaskIntegration(), RqIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=None,
        before_send=scrub_sentry_event,
        before_breadcrumb=scrub_breadcrumb,
        transport=transport,
    )
    return True
