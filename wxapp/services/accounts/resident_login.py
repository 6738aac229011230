"""Resident login through the mini-program: wx.login code -> code2Session -> our own token."""
from __future__ import annotations

import logging

from wechatpy.exceptions import WeChatClientException

from wxapp import config
from wxapp.errors import Forbidden, RateLimited, Unauthorized, UpstreamUnavailable, ValidationFailed
from wxapp.extensions import db
from wxapp.models import Resident
from wxapp.services.accounts.residents import resident_for_miniprogram
from wxapp.services.accounts.sessions import issue_session, resolve_session, revoke_session
from wxapp.wechat.client import miniprogram_client

log = logging.getLogger(__name__)
RESIDENT = "resident"


def _ttl() -> int:
    return config.settings().resident_token_ttl_seconds


def login_with_code(code: str) -> tuple[str, int]:
    code = (code or "").strip()
    if not code or len(code) > 128:
        raise ValidationFailed("auth.code_missing", "登录凭证缺失，请重新打开小程序。",
                               details={"code": "请提供 wx.login 返回的 code。"})
    try:
        result = miniprogram_client().code_to_session(code)
    except WeChatClientException as exc:
        raise _login_error(exc) from exc
    resident = resident_for_miniprogram(result["openid"], result.get("unionid"))
    if resident.disabled:
        raise Forbidden("auth.account_disabled", "该账号已停用，如有疑问请联系镇卫健办。")
    # The session_key stays in the server-side session: it decrypts data the mini-program
    # sends later (e.g. a phone number) and must never be returned to the client.
    return issue_session(RESIDENT, resident.id, resident.session_version, _ttl(),
                         data={"session_key": result.get("session_key")})


def _login_error(exc: WeChatClientException):
    if exc.errcode in (40029, 40163):
        return Unauthorized("auth.code_invalid", "登录凭证已失效，请重新打开小程序。")
    if exc.errcode == 45011:
        return RateLimited("auth.too_frequent", "登录太频繁，请一分钟后再试。")
    if exc.errcode == 40226:
        return Forbidden("auth.risky_user", "微信提示该账号存在风险，暂时无法登录。")
    log.warning("code2Session failed: %s", exc)
    return UpstreamUnavailable("auth.wechat_unavailable", "微信登录服务暂时繁忙，请稍后再试。")


def resident_from_token(token: str | None) -> tuple[Resident, str]:
    session = resolve_session(RESIDENT, token, _ttl())
    resident = db.session.get(Resident, session.subject_id)
    if resident is None or resident.disabled or resident.session_version != session.version:
        raise Unauthorized("auth.token_revoked", "登录已失效，请重新登录。")
    return resident, session.sid


def logout(sid: str) -> None:
    revoke_session(RESIDENT, sid)


def revoke_all_sessions(resident: Resident) -> None:
    resident.session_version += 1
    db.session.flush()
