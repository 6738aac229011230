"""A local stand-in for the parts of WeChat's servers that wxapp calls.

It follows WeChat's documented contract (JSON shapes, error codes) closely enough that the
service's handling of tokens, logins and subscribe messages can be tested for real:

- access tokens live 7200 s; issuing a new one leaves the previous valid for 5 more minutes
- a wx.login code is single-use and lives 5 minutes (40029), with 45011 past 100 logins a
  minute per user
- subscribe messages need a grant (43101) and refuse ``thing.*`` over 20 characters (47003)

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

from flask import Flask, jsonify, request
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
