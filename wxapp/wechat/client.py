"""Outbound WeChat clients: wechatpy's, pointed at ``WECHAT_API_BASE_URL`` and sharing tokens.

wechatpy builds URLs from several roots (``cgi-bin/`` for the client, ``https://api.weixin.qq.com/``
for the wxa API, and a hard-coded token URL); every one of them is rebased here, and an
absolute URL to any other WeChat host is refused rather than sent to the real servers.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests
from flask import current_app
from wechatpy.client import WeChatClient
from wechatpy.exceptions import WeChatClientException, WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

from wxapp.extensions import get_redis
from wxapp.observability import metrics
from wxapp.wechat.tokens import AccessTokenCache

log = logging.getLogger(__name__)

PUBLIC_ROOT = "https://api.weixin.qq.com/"
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid, malformed, expired access token
HTTP_TIMEOUT_SECONDS = 5


class OutboundBlocked(RuntimeError):
    pass


class RoutedWeChatClient(WeChatClient):
    """A wechatpy client whose every request goes to ``base_url`` with a shared token."""

    def __init__(self, appid: str, secret: str, base_url: str, redis_client):
        super().__init__(appid, secret, timeout=HTTP_TIMEOUT_SECONDS, auto_retry=False)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.tokens = AccessTokenCache(redis_client, appid, self._fetch_token_from_wechat)

    # -- URL routing -------------------------------------------------------------------------
    def rebase(self, url: str) -> str:
        if url.startswith(PUBLIC_ROOT):
            return self.base_url + url[len(PUBLIC_ROOT):]
        if url.startswith(self.base_url):
            return url
        host = urlsplit(url).hostname or ""
        if host.endswith("weixin.qq.com") or host.endswith("qq.com"):
            raise OutboundBlocked(f"refusing to call {host}: only {self.base_url} is configured")
        return url

    def _request(self, method, url_or_endpoint, **kwargs):
        if url_or_endpoint.startswith(("http://", "https://")):
            url = url_or_endpoint
        else:
            root = kwargs.pop("api_base_url", self.API_BASE_URL)
            url = root + url_or_endpoint
        url = self.rebase(url)
        kwargs.pop("api_base_url", None)
        params = dict(kwargs.pop("params", None) or {})
        carries_own_token = "access_token" in params
        for attempt in (1, 2):
            sent_params = dict(params)
            if not carries_own_token:
                sent_params["access_token"] = self.access_token
            try:
                result = super()._request(method, url, params=sent_params, **dict(kwargs))
            except requests.RequestException as exc:
                self._count(url, -1)
                raise self._unreachable(url, exc) from exc
            except WeChatClientException as exc:
                self._count(url, exc.errcode)
                if attempt == 1 and not carries_own_token and exc.errcode in TOKEN_ERRORS:
                    self.tokens.replace(rejected=sent_params["access_token"])
                    continue
                raise
            self._count(url, 0)
            return result

    def _count(self, url: str, errcode) -> None:
        metrics.WECHAT_CALLS.labels(api=metrics.api_name(url, self.base_url),
                                    errcode=str(errcode)).inc()

    # -- tokens ------------------------------------------------------------------------------
    @property
    def access_token(self):
        return self.tokens.get()

    def fetch_access_token(self):
        # wechatpy's own refresh stores the token per process; ours is shared through Redis.
        return {"access_token": self.tokens.replace(rejected=self.tokens.get())}

    def _fetch_token_from_wechat(self) -> tuple[str, int]:
        result = self._get_json_without_token(
            "cgi-bin/token",
            {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
        return result["access_token"], int(result.get("expires_in", 7200))

    def _get_json_without_token(self, endpoint: str, params: dict) -> dict:
        """Calls that authenticate with appid + secret and must not fetch a token first."""
        try:
            res = self._http.get(self.base_url + endpoint, params=params,
                                 timeout=HTTP_TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            self._count(self.base_url + endpoint, -1)
            raise self._unreachable(self.base_url + endpoint, exc) from exc
        try:
            result = self._handle_result(res)
        except WeChatClientException as exc:
            self._count(self.base_url + endpoint, exc.errcode)
            raise
        self._count(self.base_url + endpoint, 0)
        return result

    def _unreachable(self, url: str, exc: requests.RequestException) -> WeChatClientException:
        """Names the URL that failed, without its query (it carries the app secret), and where
        that URL came from: in development the usual cause is a simulator on another port."""
        where = urlsplit(url)._replace(query="", fragment="").geturl()
        reason = ("timed out" if isinstance(exc, requests.Timeout)
                  else "nothing answers there" if isinstance(exc, requests.ConnectionError)
                  else type(exc).__name__)
        return WeChatClientException(
            errcode=-1, errmsg=f"network: cannot reach {where} ({reason}); "
            f"WECHAT_API_BASE_URL is {self.base_url} (scripts/dev points it at the simulator "
            "on SIM_PORT)")


class MiniProgramClient(RoutedWeChatClient):
    def code_to_session(self, js_code: str) -> dict:
        # wechatpy's version adds an access_token to the query, which code2Session does not
        # need; fetching one there would spend the daily token quota on every login.
        return self._get_json_without_token(
            "sns/jscode2session",
            {"appid": self.appid, "secret": self.secret, "js_code": js_code,
             "grant_type": "authorization_code"},
        )


class RoutedWeChatOAuth(WeChatOAuth):
    """wechatpy's web-authorisation (网页授权) client for the official account, its page and its
    API both under configured bases (the simulator's in development and tests).

    One call per code and no retry anywhere: WeChat answers a second exchange of a code with
    40163, so a retried exchange could only turn a slow success into a failure."""

    def __init__(self, appid: str, secret: str, redirect_uri: str, api_base_url: str,
                 oauth_base_url: str):
        super().__init__(appid, secret, redirect_uri, scope="snsapi_base")
        self.API_BASE_URL = api_base_url if api_base_url.endswith("/") else api_base_url + "/"
        self.OAUTH_BASE_URL = oauth_base_url.rstrip("/") + "/connect/"

    def authorize_url_for(self, state: str) -> str:
        self.state = state
        return self.authorize_url

    def _request(self, method, url_or_endpoint, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT_SECONDS)
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        except requests.RequestException as exc:
            where = self.API_BASE_URL + url_or_endpoint
            raise WeChatOAuthException(
                errcode=-1, errmsg=f"network: cannot reach {where} ({type(exc).__name__}); "
                f"WECHAT_API_BASE_URL is {self.API_BASE_URL}") from exc


def official_account_oauth(redirect_uri: str) -> RoutedWeChatOAuth:
    """A fresh client per sign-in: wechatpy's keeps the exchanged token on the instance."""
    settings = current_app.config["WXAPP"]
    return RoutedWeChatOAuth(settings.wechat_app_id, settings.wechat_app_secret, redirect_uri,
                             settings.wechat_api_base_url, settings.web_authorisation_base_url)


def _build(kind: str):
    settings = current_app.config["WXAPP"]
    cache = current_app.extensions.setdefault("wxapp_wechat_clients", {})
    if kind not in cache:
        if kind == "official_account":
            cache[kind] = RoutedWeChatClient(settings.wechat_app_id, settings.wechat_app_secret,
                                             settings.wechat_api_base_url, get_redis())
        else:
            cache[kind] = MiniProgramClient(settings.miniprogram_app_id,
                                            settings.miniprogram_app_secret,
                                            settings.wechat_api_base_url, get_redis())
    return cache[kind]


def official_account_client() -> RoutedWeChatClient:
    return _build("official_account")


def miniprogram_client() -> MiniProgramClient:
    return _build("miniprogram")
