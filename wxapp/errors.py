"""Domain errors: a stable machine-readable code, a Chinese message a resident can act on,
and the HTTP status the API answers with. Services raise them; each transport renders them
(JSON body, chat reply, console flash)."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "request.invalid"
    message = "请求有误，请检查后重试。"

    # Seconds after which trying again makes sense (a ``Retry-After`` header); None: never said.
    retry_after: int | None = None

    def __init__(self, code: str | None = None, message: str | None = None, *,
                 status: int | None = None, details: dict[str, Any] | None = None,
                 retry_after: int | None = None):
        self.code = code or self.code
        self.message = message or self.message
        if status is not None:
            self.status = status
        self.details = details or {}
        if retry_after is not None:
            self.retry_after = max(1, int(retry_after))
        super().__init__(f"{self.code}: {self.message}")

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(DomainError):
    """Input that cannot be accepted; ``details`` maps field names to Chinese messages."""
    status = 422
    code = "request.validation_failed"
    message = "填写的信息有误，请按提示修改。"


class NotFound(DomainError):
    # Someone else's record is "not found" too: never confirm that it exists.
    status = 404
    code = "resource.not_found"
    message = "没有找到相关记录。"


class Unauthorized(DomainError):
    status = 401
    code = "auth.required"
    message = "请先登录。"


class Forbidden(DomainError):
    status = 403
    code = "auth.forbidden"
    message = "没有权限进行此操作。"


class Conflict(DomainError):
    status = 409
    code = "request.conflict"
    message = "操作冲突，请刷新后重试。"


class RateLimited(DomainError):
    status = 429
    code = "request.rate_limited"
    message = "操作太频繁，请稍后再试。"
    retry_after = 60


class UpstreamUnavailable(DomainError):
    """WeChat (or another upstream) failed in a way the resident can only retry later."""
    status = 503
    code = "upstream.unavailable"
    message = "微信服务暂时繁忙，请稍后再试。"


class ServiceUnavailable(DomainError):
    """A part of our own infrastructure (Redis) is unreachable: nothing was changed, and the
    same request may simply be sent again a little later."""
    status = 503
    code = "service.unavailable"
    message = "系统暂时无法处理，请稍后再试。"
    retry_after = 30
