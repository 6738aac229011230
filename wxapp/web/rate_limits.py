"""Rate limits (Flask-Limiter) on the shared Redis, per client address and per account.

Counted in the same Redis as everything else through the app's own redis-py client (real, or
the in-process fakeredis when REDIS_URL is unset), so every worker shares one count. Limits
are configured in settings (``rate_limit_*``) and attached here, by endpoint name, so the
blueprints carry no limiter of their own and tests can build apps with other limits.

- Sign-in (resident, by the mini-program or the pages' web authorisation, and staff): per
  address. Staff failures are also counted per account
  from all addresses together; the five-failure lock counts per account *and* address
  (``services/accounts/staff_login.py``), so a stranger cannot lock a reviewer out.
- Creating bookings, pickup codes, uploads and messages for staff: per resident (shared) and,
  more widely, per address: a mobile carrier puts many residents behind one address.
- Revealing a full ID or phone number in the console: per staff account, from every browser
  together; the first refusal of the day alerts the township office.
- ``/verify``: per address. The cabinet API: per cabinet (only requests that prove to come
  from it count, so a forger cannot use up a cabinet's budget) and per address.

A refused call is 429 with the project's error body, a Chinese message and Retry-After. When
Redis is unreachable the limits fall back to per-process counting in memory, so what works
without Redis (``/verify``, the FAQ) keeps a limit.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, g, jsonify, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix

from wxapp.errors import DomainError
from wxapp.web.errors import error_body, page_for_error

EXTENSION = "wxapp_limiter"


def client_address() -> str:
    return request.remote_addr or "unknown"


def _resident_account() -> str:
    """The signed-in resident, or the address for a request that will be refused anyway."""
    from wxapp.services.accounts.resident_login import resident_from_token
    from wxapp.web.auth import bearer_token

    resident = getattr(g, "resident", None)
    if resident is None:
        try:
            resident, _ = resident_from_token(bearer_token())
        except DomainError:
            return f"address:{client_address()}"
    return f"resident:{resident.id}"


def _staff_username() -> str:
    try:
        body = request.get_json(silent=True)
    except (ValueError, RecursionError):
        body = None
    username = body.get("username") if isinstance(body, dict) else None
    return f"staff:{str(username or '').strip().lower()[:64]}"


def _staff_username_in_form() -> str:
    """The console's sign-in form: counted under the same key as the API's JSON sign-in, so
    the per-account limit spans both doors."""
    username = request.form.get("username") if request.method == "POST" else None
    return f"staff:{str(username or '').strip().lower()[:64]}"


def _console_staff() -> str:
    """The staff member signed in to the console, or the address for a request that will be
    sent to sign in anyway."""
    from wxapp.console.access import signed_in_staff

    staff = signed_in_staff()
    return f"staff-id:{staff.id}" if staff is not None else f"address:{client_address()}"


def _alert_the_office(_limit) -> None:
    """The first refusal of the day tells the township office. Committed here: the refused
    request's own answer (429) rolls back, and the alert must outlive it."""
    from sqlalchemy.exc import IntegrityError

    from wxapp.console.access import signed_in_staff
    from wxapp.services.personal_data import reveal_limit_reached
    from wxapp.transactions import commit, rollback

    staff = signed_in_staff()
    if staff is None:
        return
    try:
        reveal_limit_reached(staff)
        commit()
    except IntegrityError:
        rollback()  # a second refusal at the same moment told them already


def _cabinet() -> str:
    return f"cabinet:{request.headers.get('X-Device-Key', '')[:64]}"


def _failed_sign_in(response) -> bool:
    return response.status_code == 401


def _proved_to_be_the_cabinet(response) -> bool:
    return response.status_code not in (401, 403)


def init_rate_limits(app: Flask) -> Limiter:
    """One limiter per app (tests run several apps, each with its own Redis)."""
    from wxapp.extensions import get_redis

    settings = app.config["WXAPP"]
    if settings.trusted_proxy_count:
        # Behind nginx every request comes from 127.0.0.1: the client is in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxy_count)
    with app.app_context():
        pool = get_redis().connection_pool
    limiter = Limiter(
        client_address,
        storage_uri="redis://",
        storage_options={"connection_pool": pool},
        key_prefix="wxapp:ratelimit",
        in_memory_fallback_enabled=True,
        enabled=not settings.rate_limits_disabled,
    )
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    return limiter


def register_rate_limits(app: Flask) -> None:
    """Attach the limits to the endpoints; call after every blueprint is registered."""
    limiter = init_rate_limits(app)
    s = app.config["WXAPP"]
    sign_in_address = limiter.shared_limit(s.rate_limit_login_per_address, scope="sign-in")
    staff_failures = limiter.shared_limit(s.rate_limit_login_failures_per_account,
                                          scope="staff-sign-in-failures",
                                          key_func=_staff_username, deduct_when=_failed_sign_in)
    # The console's sign-in page is read with GET; only its POSTs are attempts.
    console_sign_in_address = limiter.shared_limit(s.rate_limit_login_per_address,
                                                   scope="sign-in", methods=["POST"])
    console_staff_failures = limiter.shared_limit(s.rate_limit_login_failures_per_account,
                                                  scope="staff-sign-in-failures",
                                                  key_func=_staff_username_in_form,
                                                  deduct_when=_failed_sign_in,
                                                  methods=["POST"])
    create_address = limiter.shared_limit(s.rate_limit_create_per_address, scope="create")
    create_account = limiter.shared_limit(s.rate_limit_create_per_account, scope="create-own",
                                          key_func=_resident_account)
    reveal_per_staff = limiter.limit(
        s.rate_limit_reveal_per_staff, key_func=_console_staff, scope="reveal",
        on_breach=_alert_the_office,
        error_message="您查看完整号码的次数已达上限（{limit}），请{wait}后再试。"
                      "如确因工作需要，请联系镇卫健办。")
    limits = {
        "auth.login": [sign_in_address],
        "h5_auth.callback": [sign_in_address],
        "staff_auth.login": [sign_in_address, staff_failures],
        "console_auth.login": [console_sign_in_address, console_staff_failures],
        # Wrong codes also lock the account's two-step check (services/accounts/two_step.py).
        "console_auth.second_step": [console_sign_in_address],
        "screening.book": [create_address, create_account],
        "supplies.request_pickup": [create_address, create_account],
        "registrations.upload": [create_address, create_account],
        "handovers.leave_message": [create_address, create_account],
        "verify.verify": [limiter.limit(s.rate_limit_verify_per_address)],
        "console_pii.reveal": [reveal_per_staff],
    }
    for endpoint, endpoint_limits in limits.items():
        view = app.view_functions[endpoint]
        for limit in endpoint_limits:
            view = limit(view)
        app.view_functions[endpoint] = view
    devices = app.blueprints["devices"]
    limiter.limit(s.rate_limit_device_per_address)(devices)
    limiter.limit(s.rate_limit_device_per_cabinet, key_func=_cabinet,
                  deduct_when=_proved_to_be_the_cabinet)(devices)


def _too_many_requests(err: RateLimitExceeded):
    limiter: Limiter = current_app.extensions[EXTENSION]
    retry_after = 60
    breached = limiter.current_limit
    if breached is not None:
        retry_after = max(1, math.ceil(breached.reset_at - time.time()))
    message = f"操作太频繁，请{_in_words(retry_after)}后再试。"
    own_message = err.limit.error_message
    if isinstance(own_message, str) and breached is not None:
        message = own_message.format(wait=_in_words(retry_after),
                                     limit=_limit_in_words(breached.limit))
    response = page_for_error(err, 429, "request.rate_limited", message)
    if response is None:
        response = jsonify(error_body("request.rate_limited", message))
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


def _in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)}分钟"
    # A window's reset is reported a second late: an hourly window must not read "2小时".
    return f"{max(1, math.ceil((seconds - 60) / 3600))}小时"


_PER = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天", "month": "月",
        "year": "年"}


def _limit_in_words(item) -> str:
    """``60/hour`` as 每小时60次."""
    unit = _PER.get(item.GRANULARITY.name, item.GRANULARITY.name)
    every = f"每{item.multiples}{unit}" if item.multiples > 1 else f"每{unit}"
    return f"{every}{item.amount}次"
