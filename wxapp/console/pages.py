"""What every console page shares: the template context (who is signed in, the navigation),
and errors as pages in Chinese (a fragment for htmx, which console.js shows in the page's
alert area)."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, g, make_response, render_template, request, session
from flask_wtf.csrf import CSRFError

from wxapp.china_time import to_china, to_china_date
from wxapp.console.access import SIGNED_IN, to_sign_in
from wxapp.console.navigation import ROLE_LABELS, nav_for
from wxapp.web.browser_pages import protect_pages
from wxapp.web.errors import register_error_page

ERROR_TITLES = {
    400: "请求无法处理",
    401: "请先登录",
    403: "没有权限",
    404: "没有找到",
    405: "不支持该操作",
    409: "操作冲突",
    413: "提交的内容太大",
    422: "填写的信息有误",
    429: "操作太频繁",
    500: "系统繁忙",
    503: "系统暂时不可用",
}
CSRF_MESSAGE = "页面已过期或来源无法确认，请刷新页面后重新操作。"


def render_error_page(err: Exception, status: int, code: str, message: str):
    if isinstance(err, CSRFError):
        if _session_ran_out():
            # "Sign out" (or any form) clicked after the session ended: the token died with
            # it. Say what happened instead of a puzzling error page.
            return make_response(to_sign_in())
        code, message = "request.csrf_failed", CSRF_MESSAGE
    template = ("console/_error_fragment.html" if request.headers.get("HX-Request")
                else "console/error.html")
    body = render_template(template, status=status, code=code, message=message,
                           title=ERROR_TITLES.get(status, "请求无法处理"))
    return make_response(body, status)


def _session_ran_out() -> bool:
    return bool(getattr(session, "expired", False)) and not session.get(SIGNED_IN) \
        and request.endpoint != "console_auth.login"


def _console_context() -> dict:
    if not request.path.startswith("/console/"):
        return {}
    staff = g.get("staff")
    return {
        "staff": staff,
        "role_label": ROLE_LABELS.get(staff.role, staff.role) if staff else "",
        "nav_items": nav_for(staff.role) if staff else [],
    }


def china_date(moment) -> str:
    """A stored moment (UTC) as the date in China: 2026年11月30日."""
    if moment is None:
        return ""
    day = to_china_date(moment) if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def china_datetime(moment) -> str:
    """A stored moment (UTC) as China's wall clock: 2026-11-30 08:15."""
    if moment is None:
        return ""
    return to_china(moment).strftime("%Y-%m-%d %H:%M")


def install_pages(app: Flask, prefix: str) -> None:
    protect_pages(app, prefix)
    register_error_page(app, prefix, render_error_page)
    app.context_processor(_console_context)
    app.add_template_filter(china_date, "china_date")
    app.add_template_filter(china_datetime, "china_datetime")
