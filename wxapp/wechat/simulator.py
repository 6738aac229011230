"""A local stand-in for the parts of WeChat's servers that wxapp calls.

It follows WeChat's documented contract (JSON shapes, error codes) closely enough that the
service's handling of tokens, logins and subscribe messages can be tested for real:

- access tokens live 7200 s; issuing a new one leaves the previous valid for 5 more minutes
- a wx.login code is single-use and lives 5 minutes (40029), with 45011 past 100 logins a
  minute per user
- subscribe messages need a grant (43101) and refuse ``thing.*`` over 20 characters (47003)
- web authorisation (网页授权): ``/connect/oauth2/authorize`` sends the browser back to
  ``redirect_uri`` with a code and the state; the code is exchanged once at
  ``/sns/oauth2/access_token`` (a second exchange is 40163, an unknown, expired or other
  app's code 40029), and a snapshot page's user (快照页) gets a virtual openid with
  ``is_snapshotuser: 1``. Who the browser is: ``sim_user`` (and ``sim_snapshot=1``,
  ``sim_unionid=0``) on the authorise URL, else the user set with ``POST /sim/web-auth-user``,
  else a small page asks.

Developer and test endpoints live under ``/sim/``. Run it with
``python -m wxapp.wechat.simulator --port 8090``.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import hmac
import itertools
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from flask import Flask, jsonify, redirect, request
from markupsafe import escape
from werkzeug.serving import make_server

from wxapp.config import (
    DEV_MINIPROGRAM_APP_ID,
    DEV_MINIPROGRAM_APP_SECRET,
    DEV_WECHAT_APP_ID,
    DEV_WECHAT_APP_SECRET,
)

TOKEN_LIFETIME = 7200
OLD_TOKEN_GRACE = 300
CODE_LIFETIME = 300
LOGINS_PER_MINUTE = 100
THING_MAX_CHARS = 20
# Customer-service messages are allowed for 48 hours after the user last wrote to the account
# (a message, a menu tap, following it); later ones are refused with 45015.
SERVICE_WINDOW_SECONDS = 48 * 3600


@dataclass
class IssuedToken:
    appid: str
    expires_at: float
    retired_at: float | None = None  # when a newer token replaced it (+ grace)


@dataclass
class SimState:
    apps: dict[str, str]
    clock_offset: float = 0.0
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    latest_token: dict[str, str] = field(default_factory=dict)
    stable_token: dict[str, str] = field(default_factory=dict)
    codes: dict[str, dict] = field(default_factory=dict)
    logins: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    grants: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    known_openids: set[str] = field(default_factory=set)
    # Web authorisation: issued codes, every exchange attempt (tests count them: a code must
    # never be exchanged twice by the service), and the browser's user when none is named.
    web_codes: dict[str, dict] = field(default_factory=dict)
    web_exchanges: list[dict] = field(default_factory=list)
    web_auth_user: dict | None = None
    outbox: list[dict] = field(default_factory=list)
    last_wrote: dict[str, float] = field(default_factory=dict)
    # (path, errcode) answered once instead of the real outcome: a WeChat having a bad moment.
    injected: list[tuple[str, int]] = field(default_factory=list)
    msg_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))


def _derive(kind: str, *parts: str) -> str:
    digest = hmac.new(b"wxapp-simulator", "\x00".join((kind, *parts)).encode(),
                      hashlib.sha256).hexdigest()
    return digest


def openid_for(user: str, appid: str) -> str:
    # Real openids are 28 characters starting with "o"; same user + app -> same openid.
    return "o" + _derive("openid", user, appid)[:27]


def unionid_for(user: str) -> str:
    return "u" + _derive("unionid", user)[:27]


def _error(errcode: int, errmsg: str):
    return jsonify(errcode=errcode, errmsg=errmsg)


def _error_page(reason: str) -> str:
    return (f"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>授权出错</title>"
            f"<h1>Oops! Something went wrong:(</h1><p>{escape(reason)}</p></html>")


def _choose_user_page(args) -> str:
    """In development, the page a browser lands on when nobody said who it is."""
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                     for k, v in args.items() if not k.startswith("sim_"))
    return ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>模拟微信网页授权</title><h1>模拟微信网页授权</h1>"
            "<form method=\"get\">" + hidden +
            "<p><label>模拟用户 <input name=\"sim_user\" value=\"demo\" required></label></p>"
            "<p><label><input type=\"checkbox\" name=\"sim_snapshot\" value=\"1\"> 快照页"
            "</label></p><p><label><input type=\"checkbox\" name=\"sim_unionid\" value=\"0\">"
            " 不返回 unionid</label></p>"
            "<p><button type=\"submit\">允许</button></p></form></html>")


def default_apps() -> dict[str, str]:
    """The accounts the simulator knows: ``SIM_APPS="appid:secret,appid:secret"`` when the
    service runs with other WECHAT_APP_ID / MINIPROGRAM_APP_ID values than the development
    ones; by default the two development accounts (official account and mini-program)."""
    raw = os.environ.get("SIM_APPS")
    if raw:
        return dict(pair.split(":", 1) for pair in raw.split(",") if ":" in pair)
    return {DEV_WECHAT_APP_ID: DEV_WECHAT_APP_SECRET,
            DEV_MINIPROGRAM_APP_ID: DEV_MINIPROGRAM_APP_SECRET}


def create_simulator_app(apps: dict[str, str] | None = None, clock=None) -> Flask:
    app = Flask("wechat_simulator")
    app.json.ensure_ascii = False
    state = SimState(apps=dict(apps or default_apps()))
    lock = threading.RLock()
    base_clock = clock or time.time

    def now() -> float:
        return base_clock() + state.clock_offset

    app.extensions["sim_state"] = state

    # -- access tokens ----------------------------------------------------------------------
    def issue_token(appid: str) -> str:
        previous = state.latest_token.get(appid)
        if previous and previous in state.tokens:
            state.tokens[previous].retired_at = now() + OLD_TOKEN_GRACE
        token = secrets.token_urlsafe(48)
        state.tokens[token] = IssuedToken(appid, now() + TOKEN_LIFETIME)
        state.latest_token[appid] = token
        return token

    def check_credentials(appid: str | None, secret: str | None):
        if appid not in state.apps:
            return _error(40013, "invalid appid")
        if not secret or not hmac.compare_digest(state.apps[appid], secret):
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        return None

    def token_error():
        token = request.args.get("access_token")
        if not token:
            return _error(41001, "access_token missing")
        issued = state.tokens.get(token)
        if issued is None or (issued.retired_at is not None and now() > issued.retired_at):
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if now() > issued.expires_at:
            return _error(42001, "access_token expired")
        return None

    def token_app() -> str:
        return state.tokens[request.args["access_token"]].appid

    @app.get("/cgi-bin/token")
    def get_token():
        with lock:
            if request.args.get("grant_type") != "client_credential":
                return _error(40002, "invalid grant_type")
            refused = check_credentials(request.args.get("appid"), request.args.get("secret"))
            if refused:
                return refused
            return jsonify(access_token=issue_token(request.args["appid"]),
                           expires_in=TOKEN_LIFETIME)

    @app.post("/cgi-bin/stable_token")
    def get_stable_token():
        body = request.get_json(silent=True) or {}
        with lock:
            if body.get("grant_type") != "client_credential":
                return _error(40002, "invalid grant_type")
            refused = check_credentials(body.get("appid"), body.get("secret"))
            if refused:
                return refused
            appid = body["appid"]
            current = state.stable_token.get(appid)
            issued = state.tokens.get(current) if current else None
            if body.get("force_refresh") or issued is None or now() > issued.expires_at:
                current = issue_token(appid)
                state.stable_token[appid] = current
            remaining = int(state.tokens[current].expires_at - now())
            return jsonify(access_token=current, expires_in=remaining)

    # -- mini-program login -----------------------------------------------------------------
    @app.get("/sns/jscode2session")
    def code_to_session():
        args = request.args
        with lock:
            if args.get("appid") not in state.apps:
                return _error(40013, "invalid appid")
            if not hmac.compare_digest(state.apps[args["appid"]], args.get("secret") or ""):
                return _error(40125, "invalid appsecret")
            if args.get("grant_type") != "authorization_code":
                return _error(40002, "invalid grant_type")
            issued = state.codes.pop(args.get("js_code") or "", None)
            if issued is None or issued["appid"] != args["appid"] or now() > issued["expires_at"]:
                return _error(40029, "invalid code")
            window = state.logins[issued["user"]]
            while window and now() - window[0] > 60:
                window.popleft()
            if len(window) >= LOGINS_PER_MINUTE:
                return _error(45011, "api minute-quota reach limit  mustslower  retry next minute")
            window.append(now())
            return jsonify(openid=openid_for(issued["user"], args["appid"]),
                           session_key=secrets.token_urlsafe(16),
                           unionid=unionid_for(issued["user"]))

    # -- web authorisation (网页授权) -----------------------------------------------------------
    @app.get("/connect/oauth2/authorize")
    def web_authorize():
        args = request.args
        redirect_uri = args.get("redirect_uri") or ""
        target = urlsplit(redirect_uri)
        # WeChat shows its own error page (not a redirect) for a request it cannot trust.
        if args.get("appid") not in state.apps:
            return _error_page("appid 参数错误（40013）"), 400
        if target.scheme not in ("http", "https") or not target.netloc:
            return _error_page("redirect_uri 参数错误"), 400
        if args.get("response_type") != "code":
            return _error_page("response_type 参数错误"), 400
        if args.get("scope") not in ("snsapi_base", "snsapi_userinfo"):
            return _error_page("scope 参数错误（10005）"), 400
        chosen = _chosen_web_user(args)
        if chosen is None:
            return _choose_user_page(args)
        with lock:
            code = secrets.token_urlsafe(24)
            state.web_codes[code] = {**chosen, "appid": args["appid"], "scope": args["scope"],
                                     "expires_at": now() + CODE_LIFETIME, "used": False}
        query = urlencode({"code": code, "state": args.get("state", "")})
        return redirect(redirect_uri + ("&" if target.query else "?") + query, code=302)

    def _chosen_web_user(args) -> dict | None:
        user = (args.get("sim_user") or "").strip()
        if user:
            return {"user": user, "snapshot": args.get("sim_snapshot") in ("1", "true"),
                    "unionid": args.get("sim_unionid") not in ("0", "false")}
        return dict(state.web_auth_user) if state.web_auth_user else None

    @app.get("/sns/oauth2/access_token")
    def web_code_exchange():
        args = request.args
        code = args.get("code") or ""
        with lock:
            state.web_exchanges.append({"code": code, "appid": args.get("appid"), "at": now()})
            if args.get("appid") not in state.apps:
                return _error(40013, "invalid appid")
            if not hmac.compare_digest(state.apps[args["appid"]], args.get("secret") or ""):
                return _error(40125, "invalid appsecret")
            if args.get("grant_type") != "authorization_code":
                return _error(40002, "invalid grant_type")
            issued = state.web_codes.get(code)
            # A code is bound to the account that asked for it: another app's is unknown here.
            if issued is None or issued["appid"] != args["appid"] or now() > issued["expires_at"]:
                return _error(40029, "invalid code")
            if issued["used"]:
                return _error(40163, "code been used")
            issued["used"] = True
            answer = {"access_token": secrets.token_urlsafe(32), "expires_in": TOKEN_LIFETIME,
                      "refresh_token": secrets.token_urlsafe(32), "scope": issued["scope"]}
            if issued["snapshot"]:
                # A virtual account, new on every visit: it must never be taken for a person.
                answer["openid"] = "o" + _derive("snapshot", secrets.token_hex(8))[:27]
                answer["is_snapshotuser"] = 1
                return jsonify(answer)
            answer["openid"] = openid_for(issued["user"], args["appid"])
            state.known_openids.add(answer["openid"])
            # WeChat documents the unionid for snsapi_userinfo; with snsapi_base it is there
            # for some users and not others, so both cases must work (sim_unionid=0).
            if issued["unionid"] or issued["scope"] == "snsapi_userinfo":
                answer["unionid"] = unionid_for(issued["user"])
            return jsonify(answer)

    # -- messages ---------------------------------------------------------------------------
    def record(kind: str, payload: dict) -> dict:
        entry = {"kind": kind, "appid": token_app(), "touser": payload.get("touser"),
                 "payload": payload, "at": now(), "msgid": next(state.msg_ids)}
        state.outbox.append(entry)
        return entry

    def with_token(view):
        """An API that authenticates with ?access_token=; the view gets the JSON body."""
        @functools.wraps(view)
        def wrapper():
            with lock:
                refused = token_error()
                if refused:
                    return refused
                for index, (path, errcode) in enumerate(state.injected):
                    if path == request.path:
                        del state.injected[index]
                        return _error(errcode, "simulated failure")
                return view(request.get_json(silent=True, force=True) or {})
        return wrapper

    @app.post("/cgi-bin/message/subscribe/send")
    @with_token
    def subscribe_send(body):
        touser, template_id = body.get("touser"), body.get("template_id")
        if touser not in state.known_openids:
            return _error(40003, "invalid openid")
        for name, item in (body.get("data") or {}).items():
            value = (item or {}).get("value", "")
            if name.startswith("thing") and len(str(value)) > THING_MAX_CHARS:
                return _error(47003, f"argument invalid! data.{name}.value invalid")
        if state.grants[(touser, template_id)] <= 0:
            return _error(43101, "user refuse to accept the msg")
        state.grants[(touser, template_id)] -= 1
        entry = record("subscribe", body)
        return jsonify(errcode=0, errmsg="ok", msgid=entry["msgid"])

    @app.post("/cgi-bin/message/custom/send")
    @with_token
    def custom_send(body):
        if not body.get("touser") or not body.get("msgtype"):
            return _error(44002, "empty post data")
        if now() - state.last_wrote.get(body["touser"], float("-inf")) > SERVICE_WINDOW_SECONDS:
            return _error(45015, "response out of time limit or subscription is canceled")
        record("custom", body)
        return jsonify(errcode=0, errmsg="ok")

    @app.post("/cgi-bin/message/template/send")
    @with_token
    def template_send(body):
        if not body.get("touser") or not body.get("template_id"):
            return _error(40037, "invalid template_id")
        entry = record("template", body)
        return jsonify(errcode=0, errmsg="ok", msgid=entry["msgid"])

    # -- developer and test endpoints -------------------------------------------------------
    @app.post("/sim/wx-login")
    def wx_login():
        body = request.get_json(silent=True) or {}
        user = str(body.get("user") or "").strip()
        appid = body.get("appid") or next(
            (a for a in state.apps if a == DEV_MINIPROGRAM_APP_ID), next(iter(state.apps)))
        if not user or appid not in state.apps:
            return jsonify(error="user and a known appid are needed"), 400
        with lock:
            code = secrets.token_urlsafe(24)
            state.codes[code] = {"user": user, "appid": appid, "expires_at": now() + CODE_LIFETIME}
            openid = openid_for(user, appid)
            state.known_openids.add(openid)
            return jsonify(code=code, openid=openid, unionid=unionid_for(user))

    @app.get("/sim/openid")
    def sim_openid():
        appid = request.args.get("appid") or DEV_MINIPROGRAM_APP_ID
        user = request.args.get("user", "")
        with lock:
            openid = openid_for(user, appid)
            state.known_openids.add(openid)
        return jsonify(openid=openid, unionid=unionid_for(user))

    @app.post("/sim/web-auth-user")
    def set_web_auth_user():
        """Who the browser is at the authorise page from now on (``{"user": null}``: ask)."""
        body = request.get_json(silent=True) or {}
        user = str(body.get("user") or "").strip()
        with lock:
            state.web_auth_user = ({"user": user, "snapshot": bool(body.get("snapshot")),
                                    "unionid": body.get("unionid", True) is not False}
                                   if user else None)
            return jsonify(web_auth_user=state.web_auth_user)

    @app.get("/sim/web-auth-exchanges")
    def web_auth_exchanges():
        code = request.args.get("code")
        with lock:
            found = [e for e in state.web_exchanges if not code or e["code"] == code]
        return jsonify(exchanges=found)

    @app.post("/sim/grant-subscribe")
    def grant_subscribe():
        body = request.get_json(silent=True) or {}
        with lock:
            key = (body.get("openid"), body.get("template_id"))
            state.grants[key] += int(body.get("count", 1))
            state.known_openids.add(key[0])
            return jsonify(openid=key[0], template_id=key[1], remaining=state.grants[key])

    @app.post("/sim/user-wrote")
    def user_wrote():
        """The user wrote to the official account (or tapped its menu) just now: WeChat opens
        the 48-hour window for customer-service messages to that openid."""
        openid = (request.get_json(silent=True) or {}).get("openid")
        if not openid:
            return jsonify(error="openid is needed"), 400
        with lock:
            state.last_wrote[openid] = now()
        return jsonify(openid=openid)

    @app.post("/sim/fail-next")
    def fail_next():
        """The next call to ``path`` is answered with ``errcode``."""
        body = request.get_json(silent=True) or {}
        with lock:
            state.injected.append((str(body.get("path")), int(body.get("errcode", -1))))
        return jsonify(ok=True)

    @app.get("/sim/outbox")
    def outbox():
        kind, touser = request.args.get("kind"), request.args.get("touser")
        with lock:
            messages = [m for m in state.outbox
                        if (not kind or m["kind"] == kind)
                        and (not touser or m["touser"] == touser)]
        return jsonify(messages=messages)

    @app.post("/sim/advance-clock")
    def advance_clock():
        seconds = float((request.get_json(silent=True) or {}).get("seconds", 0))
        with lock:
            state.clock_offset += seconds
        return jsonify(offset=state.clock_offset)

    @app.post("/sim/reset")
    def reset():
        with lock:
            fresh = SimState(apps=state.apps)
            for name in fresh.__dataclass_fields__:
                setattr(state, name, getattr(fresh, name))
        return jsonify(ok=True)

    return app


class ServerThread:
    """The simulator on a loopback port in a daemon thread, for tests and scripts."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0):
        self._server = make_server(host, port, app, threaded=True)
        self.base_url = f"http://{host}:{self._server.server_port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def serve_in_thread(app: Flask | None = None, host: str = "127.0.0.1",
                    port: int = 0) -> ServerThread:
    return ServerThread(app or create_simulator_app(), host, port)


def main() -> None:
    from wxapp.dev_setup import simulator_port

    parser = argparse.ArgumentParser(description="Local WeChat API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=simulator_port(),
                        help="default: $SIM_PORT, else 8090")
    args = parser.parse_args()
    create_simulator_app().run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
