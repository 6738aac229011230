"""Rendering errors as ``{"error": {"code", "message"}}`` and never a stack trace.

Browser pages (the staff console) register a page renderer for their path prefix
(``register_error_page``): under that prefix the same code, message and status are rendered
as a page instead of JSON."""
from __future__ import annotations

import logging
import re

import redis
import sqlalchemy.exc
from flask import Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from wxapp.errors import DomainError, ServiceUnavailable

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: ("request.bad", "请求格式有误。"),
    401: ("auth.required", "请先登录。"),
    403: ("auth.forbidden", "没有权限进行此操作。"),
    404: ("resource.not_found", "没有找到相关内容。"),
    405: ("request.method_not_allowed", "不支持该操作。"),
    409: ("request.conflict", "操作冲突，请刷新后重试。"),
    413: ("request.too_large", "提交的内容太大。"),
    415: ("request.unsupported_type", "不支持的内容格式。"),
    422: ("request.validation_failed", "填写的信息有误，请按提示修改。"),
    429: ("request.rate_limited", "操作太频繁，请稍后再试。"),
}

# marshmallow's and webargs' messages, in the words a resident reads.
_FIELD_MESSAGES = {
    "Missing data for required field.": "此项为必填。",
    "Field may not be null.": "此项不能为空。",
    "Not a valid string.": "请填写文字。",
    "Not a valid integer.": "请填写整数。",
    "Not a valid number.": "请填写数字。",
    "Not a valid boolean.": "请选择是或否。",
    "Not a valid date.": "日期格式不正确。",
    "Not a valid datetime.": "时间格式不正确。",
    "Not a valid time.": "时间格式不正确。",
    "Unknown field.": "不认识的字段。",
    "Invalid input type.": "格式不正确。",
    "Not a valid list.": "应为列表。",
    "Not a valid mapping type.": "格式不正确。",
    "String does not match expected pattern.": "格式不正确。",
    "Invalid value.": "填写的内容不正确。",
    "Invalid JSON body.": "提交的内容不是有效的 JSON。",
}
# Messages that carry the validator's numbers.
_PATTERNS = [
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
     "请填写{0}到{1}之间的数。"),
    (re.compile(r"Must be greater than or equal to (\S+)\."), "不能小于{0}。"),
    (re.compile(r"Must be less than or equal to (\S+)\."), "不能大于{0}。"),
    (re.compile(r"Must be greater than (\S+) and less than (\S+)\."), "应大于{0}且小于{1}。"),
    (re.compile(r"Must be greater than (\S+)\."), "应大于{0}。"),
    (re.compile(r"Must be less than (\S+)\."), "应小于{0}。"),
    (re.compile(r"Shorter than minimum length (\d+)\."), "至少填写{0}个字。"),
    (re.compile(r"Longer than maximum length (\d+)\."), "最多填写{0}个字。"),
    # Schemas that never went through wxapp.web.bounds (which says which bound was missed).
    (re.compile(r"Length must be between (\d+) and (\d+)\."), "请填写{0}到{1}个字。"),
    (re.compile(r"Length must be (\d+)\."), "应填写{0}个字。"),
    (re.compile(r"Must be one of.*"), "请从给定选项中选择。"),
]
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _translate_one(message: str) -> str:
    if message in _FIELD_MESSAGES:
        return _FIELD_MESSAGES[message]
    for pattern, chinese in _PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return chinese.format(*found.groups())
    if _CHINESE.search(message):
        return message  # our own schemas' messages are Chinese already
    # A message nobody translated yet: the resident still reads Chinese, and we hear of it.
    log.warning("untranslated validation message: %s", message)
    return "填写的内容不正确。"


def _translate(messages):
    if isinstance(messages, dict):
        return {key: _translate(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [_translate(m) for m in messages]
    if isinstance(messages, str):
        return _translate_one(messages)
    return messages


def error_body(code: str, message: str, details=None):
    body = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


ERROR_PAGES = "wxapp_error_pages"


def register_error_page(app: Flask, prefix: str, render) -> None:
    """``render(err, status, code, message)`` answers errors of requests under ``prefix``."""
    app.extensions.setdefault(ERROR_PAGES, {})[prefix] = render


def page_for_error(err: Exception, status: int, code: str, message: str):
    for prefix, render in current_app.extensions.get(ERROR_PAGES, {}).items():
        if request.path.startswith(prefix):
            return render(err, status, code, message)
    return None


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        page = page_for_error(err, err.status, err.code, err.message)
        if page is not None:
            if err.retry_after is not None:
                page.headers["Retry-After"] = str(err.retry_after)
            return page
        response = jsonify({"error": err.to_dict()})
        response.status_code = err.status
        if err.retry_after is not None:
            response.headers["Retry-After"] = str(err.retry_after)
        return response

    # Redis holds sessions, locks and rate limits: when it cannot be reached (refused, or
    # silent past the client's timeouts) the request did nothing and the honest answer is
    # "try again shortly", not a 500.
    @app.errorhandler(redis.exceptions.ConnectionError)
    @app.errorhandler(redis.exceptions.TimeoutError)
    def _redis_unreachable(err: Exception):
        log.error("redis unreachable: %s", err)
        return _domain_error(ServiceUnavailable(
            "service.redis_unavailable", "系统暂时无法处理您的请求，请稍后再试。"))

    # The database refused, dropped or never answered the connection (or a lock wait ran
    # out): the transaction was rolled back, so the same request can be sent again.
    @app.errorhandler(sqlalchemy.exc.OperationalError)
    @app.errorhandler(sqlalchemy.exc.InterfaceError)
    def _database_unreachable(err: Exception):
        log.error("database unreachable: %s", str(err).splitlines()[0] if str(err) else err)
        return _domain_error(ServiceUnavailable(
            "service.database_unavailable", "系统暂时无法处理您的请求，请稍后再试。"))

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        code, message = _HTTP_CODES.get(err.code or 500, ("request.error", "请求无法处理。"))
        page = page_for_error(err, err.code or 500, code, message)
        if page is not None:
            return page
        details = None
        # webargs (flask-smorest) puts the schema's messages here.
        data = getattr(err, "data", None) or {}
        if data.get("messages"):
            details = _translate(data["messages"])
            # One location (json / query) is the common case: flatten it.
            if isinstance(details, dict) and len(details) == 1:
                details = next(iter(details.values()))
        response = jsonify(error_body(code, message, details))
        response.status_code = err.code or 500
        for header, value in (getattr(err, "headers", None) or {}).items() if isinstance(
                getattr(err, "headers", None), dict) else []:
            response.headers[header] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error")
        page = page_for_error(err, 500, "server.error", "系统繁忙，请稍后再试。")
        if page is not None:
            return page
        return jsonify(error_body("server.error", "系统繁忙，请稍后再试。")), 500
