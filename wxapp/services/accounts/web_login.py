"""Resident sign-in for the pages in the official account: WeChat web authorisation (网页授权).

Invariants:
- a ``state`` is used once, within STATE_TTL_SECONDS, by the browser it was given to (the
  transport keeps it in a cookie on that browser and passes both values back here);
- a code is exchanged at most once: WeChat answers a second exchange with 40163, and a retry
  could only turn a slow success into a failure;
- a snapshot page's virtual user (快照页, ``is_snapshotuser``) is never bound to a Resident;
- the page a resident lands on after signing in is one of ours, under ``/h5/``.
"""
from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from wechatpy.exceptions import WeChatClientException

from wxapp import config
from wxapp.errors import DomainError
from wxapp.extensions import get_redis
from wxapp.services.accounts.resident_login import RESIDENT
from wxapp.services.accounts.residents import resident_for_web_authorisation
from wxapp.services.accounts.sessions import issue_session
from wxapp.wechat.client import official_account_oauth

log = logging.getLogger(__name__)

PAGES_ROOT = "/h5/"
SIGN_IN_ROOT = "/h5/auth/"
CALLBACK_PATH = "/h5/auth/callback"
STATE_TTL_SECONDS = 600
NEXT_MAX_CHARS = 512


class WebSignInFailed(DomainError):
    """Sign-in did not happen; ``next_path`` is where starting again should lead."""

    def __init__(self, code: str, message: str, *, status: int = 401, next_path: str = PAGES_ROOT):
        super().__init__(code, message, status=status)
        self.next_path = next_path


@dataclass(frozen=True)
class WebSignInStart:
    state: str
    authorize_url: str
    state_ttl_seconds: int


@dataclass(frozen=True)
class WebSignIn:
    token: str
    expires_in: int
    next_path: str


def safe_next(raw: str | None) -> str:
    """``raw`` when it is a page of ours under /h5/, else the pages' home: never another site
    (``//evil``, ``https://…``, ``/h5/..``), never the sign-in itself (a loop)."""
    candidate = (raw or "").strip()
    if not candidate or len(candidate) > NEXT_MAX_CHARS:
        return PAGES_ROOT
    lowered = candidate.lower()
    if any(bad in lowered for bad in ("\\", "%5c", "..", "%2e", "//", "#")) or \
            any(ord(ch) < 0x21 or ord(ch) == 0x7f for ch in candidate):
        return PAGES_ROOT
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or not parts.path.startswith(PAGES_ROOT) or \
            parts.path.startswith(SIGN_IN_ROOT):
        return PAGES_ROOT
    return candidate


def _state_key(state: str) -> str:
    return f"wxapp:h5-auth:state:{state}"


def _spent_key(state: str) -> str:
    return f"wxapp:h5-auth:spent:{state}"


def callback_url() -> str:
    # WeChat only sends residents back to the domain registered as the account's 网页授权域名:
    # the public address, not whatever Host a request came with.
    return config.settings().public_base_url.rstrip("/") + CALLBACK_PATH


def begin_web_sign_in(next_path: str | None) -> WebSignInStart:
    state = secrets.token_urlsafe(24)
    record = {"next": safe_next(next_path)}
    get_redis().set(_state_key(state), json.dumps(record), ex=STATE_TTL_SECONDS)
    url = official_account_oauth(callback_url()).authorize_url_for(state)
    return WebSignInStart(state, url, STATE_TTL_SECONDS)


def _take_state(state: str, browser_state: str | None) -> str:
    """The ``next`` the state was issued for; the state is spent, whatever happens next."""
    redis = get_redis()
    if not state or len(state) > 128:
        raise WebSignInFailed("auth.state_invalid", "登录链接无效，请从公众号菜单重新进入。",
                              status=400)
    spent = redis.get(_spent_key(state))
    if spent is not None:
        # Most often the resident refreshed the page this link opened.
        raise WebSignInFailed(
            "auth.state_used",
            "这个登录链接已经用过了，刷新页面不能再次登录。请点下面的按钮重新进入。",
            status=400, next_path=safe_next(spent.decode() if isinstance(spent, bytes) else spent))
    if not browser_state or not secrets.compare_digest(state, browser_state):
        # Another browser's link (forwarded, or planted to sign this browser in as someone
        # else): refused, and left usable by the browser it belongs to.
        raise WebSignInFailed("auth.state_mismatch",
                              "这个登录链接不是在本机打开的，请从公众号菜单重新进入。", status=400)
    raw = redis.getdel(_state_key(state))
    if raw is None:
        raise WebSignInFailed("auth.state_expired", "登录链接已过期，请重新进入。", status=400)
    next_path = safe_next(json.loads(raw).get("next"))
    redis.set(_spent_key(state), next_path, ex=STATE_TTL_SECONDS)
    return next_path


def finish_web_sign_in(state: str, browser_state: str | None, code: str) -> WebSignIn:
    next_path = _take_state(state, browser_state)
    code = (code or "").strip()
    if not code or len(code) > 128:
        # The resident declined, or the link was cut: WeChat sends no code then.
        raise WebSignInFailed("auth.code_missing", "没有拿到微信的登录授权，请重新进入。",
                              next_path=next_path)
    try:
        result = official_account_oauth(callback_url()).fetch_access_token(code)
    except WeChatClientException as exc:
        raise _exchange_error(exc, next_path) from exc
    if str(result.get("is_snapshotuser", "")) == "1":
        # A snapshot page's openid is virtual and new each visit: binding it would create an
        # empty resident, or worse, hand someone's records to a preview.
        raise WebSignInFailed("auth.snapshot_user",
                              "当前是预览（快照）页面，无法登录。请点屏幕下方的“使用完整服务”后再办理。",
                              status=403, next_path=next_path)
    openid = result.get("openid")
    if not openid:
        raise WebSignInFailed("auth.wechat_unavailable", "微信登录服务暂时繁忙，请稍后再试。",
                              status=503, next_path=next_path)
    # The official account's web-authorisation openid is the same as its message openid, so
    # this is the resident the chat already knows; a unionid links the mini-program's.
    resident = resident_for_web_authorisation(openid, result.get("unionid"))
    if resident.disabled:
        raise WebSignInFailed("auth.account_disabled", "该账号已停用，如有疑问请联系镇卫健办。",
                              status=403, next_path=next_path)
    ttl = config.settings().resident_token_ttl_seconds
    token, expires_in = issue_session(RESIDENT, resident.id, resident.session_version, ttl,
                                      data={"channel": "h5"})
    return WebSignIn(token, expires_in, next_path)


def _exchange_error(exc: WeChatClientException, next_path: str) -> WebSignInFailed:
    if exc.errcode == 40163:
        return WebSignInFailed("auth.code_used",
                               "这个登录链接已经用过了，请点下面的按钮重新进入。",
                               next_path=next_path)
    if exc.errcode in (40029, 42003):
        return WebSignInFailed("auth.code_invalid", "登录授权已失效，请点下面的按钮重新进入。",
                               next_path=next_path)
    if exc.errcode == 45011:
        return WebSignInFailed("auth.too_frequent", "登录太频繁，请一分钟后再试。",
                               status=429, next_path=next_path)
    log.warning("web authorisation code exchange failed: %s", exc)
    return WebSignInFailed("auth.wechat_unavailable", "微信登录服务暂时繁忙，请稍后再试。",
                           status=503, next_path=next_path)
