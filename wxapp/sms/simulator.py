"""A local stand-in for Tencent Cloud's SMS gateway (SendSms, API version 2021-01-11).

It holds the provider to its documented contract, so a test that passes here fails for the
same reasons the real gateway would refuse: the TC3-HMAC-SHA256 signature (checked with this
module's own implementation of the documented algorithm, not the SDK's), a timestamp within
five minutes, a known SdkAppId, an approved signature name and template, the template's
parameter count, and the default per-number frequency limits (one message of a template to a
number in 30 s, five to a number in an hour, ten in a day). What was "delivered" waits in an
outbox that tests and developers read at ``GET /sim/sms/outbox``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from flask import Flask, jsonify, request

from wxapp.sms.templates import TEMPLATES, parameter_count, render

API_VERSION = "2021-01-11"
SERVICE = "sms"
TIMESTAMP_WINDOW_SECONDS = 300
E164_MAINLAND = re.compile(r"^(?:\+86|0086|86)?(1[3-9]\d{9})$")
AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<secret_id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/"
    r"(?P<service>[a-z]+)/tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})$")

# Development and test identities. Public, like the WeChat simulator's.
DEV_SECRET_ID = "AKIDdevwxappsmssimulator"
DEV_SECRET_KEY = "dev-sms-secret-key"
DEV_SDK_APP_ID = "1400000000"
DEV_SIGN_NAME = "镇卫健办"
# Our template names get these ids in development: "service_update:100001,…".
DEV_TEMPLATE_IDS = {name: str(100001 + index) for index, name in enumerate(TEMPLATES)}

# Tencent's default frequency policy (configurable in its console, per SdkAppId).
SAME_TEMPLATE_SECONDS = 30
PER_HOUR = 5
PER_DAY = 10


def dev_template_ids_setting() -> str:
    return ",".join(f"{name}:{template_id}" for name, template_id in DEV_TEMPLATE_IDS.items())


def dev_environment() -> str:
    """Shell exports that point the service's SMS settings at this gateway's identities
    (scripts/dev sets the endpoint)."""
    values = {"SMS_SDK_APP_ID": DEV_SDK_APP_ID, "SMS_SECRET_ID": DEV_SECRET_ID,
              "SMS_SECRET_KEY": DEV_SECRET_KEY, "SMS_SIGN_NAME": DEV_SIGN_NAME,
              "SMS_TEMPLATE_IDS": dev_template_ids_setting()}
    return "\n".join(f"export {name}='{value}'" for name, value in values.items())


@dataclass
class GatewayState:
    secrets: dict[str, str]
    sdk_app_ids: set[str]
    sign_names: set[str]
    templates: dict[str, str]  # template id → approved text
    outbox: list[dict] = field(default_factory=list)
    sends: dict[str, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))
    injected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.outbox.clear()
            self.sends.clear()
            self.injected.clear()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def expected_signature(secret_key: str, *, method: str, path: str, query: str,
                       headers: dict[str, str], signed_headers: list[str], body: bytes,
                       timestamp: str, date: str, service: str) -> str:
    """TC3-HMAC-SHA256 as Tencent Cloud documents it (签名方法 v3)."""
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip().lower()}\n"
                                for name in signed_headers)
    canonical_request = "\n".join([
        method, path, query, canonical_headers, ";".join(signed_headers),
        hashlib.sha256(body).hexdigest(),
    ])
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join([
        "TC3-HMAC-SHA256", timestamp, scope,
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ])
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _error(code: str, message: str):
    return jsonify({"Response": {"Error": {"Code": code, "Message": message},
                                 "RequestId": str(uuid.uuid4())}})


def _check_signature(state: GatewayState) -> tuple[str, str] | None:
    """None when the request is signed by a known key, else (code, message)."""
    match = AUTHORIZATION.match(request.headers.get("Authorization", ""))
    if match is None:
        return "AuthFailure.InvalidAuthorization", "Authorization 不符合腾讯云标准。"
    secret_key = state.secrets.get(match["secret_id"])
    if secret_key is None:
        return "AuthFailure.SecretIdNotFound", "密钥不存在。"
    timestamp = request.headers.get("X-TC-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TIMESTAMP_WINDOW_SECONDS:
        return "AuthFailure.SignatureExpire", "签名过期。"
    signed = match["signed"].split(";")
    if "content-type" not in signed or "host" not in signed:
        return "AuthFailure.InvalidAuthorization", "SignedHeaders 须包含 content-type 与 host。"
    headers = {name.lower(): value for name, value in request.headers.items()}
    expected = expected_signature(
        secret_key, method=request.method, path=request.path,
        query=request.query_string.decode(), headers=headers, signed_headers=signed,
        body=request.get_data(), timestamp=timestamp, date=match["date"],
        service=match["service"])
    if not hmac.compare_digest(expected, match["signature"]):
        return "AuthFailure.SignatureFailure", "签名错误。"
    return None


def _frequency_code(state: GatewayState, phone: str, template_id: str, now: float) -> str | None:
    history = [(at, tid) for at, tid in state.sends[phone] if now - at < 86400]
    state.sends[phone] = history
    if any(tid == template_id and now - at < SAME_TEMPLATE_SECONDS for at, tid in history):
        return "LimitExceeded.PhoneNumberThirtySecondLimit"
    if sum(1 for at, _ in history if now - at < 3600) >= PER_HOUR:
        return "LimitExceeded.PhoneNumberOneHourLimit"
    if len(history) >= PER_DAY:
        return "LimitExceeded.PhoneNumberDailyLimit"
    return None


def create_sms_simulator_app(*, secrets: dict[str, str] | None = None,
                             sdk_app_ids: set[str] | None = None,
                             sign_names: set[str] | None = None,
                             templates: dict[str, str] | None = None) -> Flask:
    app = Flask(__name__)
    state = GatewayState(
        secrets=secrets or {DEV_SECRET_ID: DEV_SECRET_KEY},
        sdk_app_ids=sdk_app_ids or {DEV_SDK_APP_ID},
        sign_names=sign_names or {DEV_SIGN_NAME},
        templates=templates or {tid: TEMPLATES[name] for name, tid in DEV_TEMPLATE_IDS.items()},
    )
    app.extensions["sms_gateway"] = state

    @app.post("/")
    def api():
        if request.headers.get("X-TC-Action") != "SendSms":
            return _error("InvalidAction", "接口不存在。")
        if request.headers.get("X-TC-Version") != API_VERSION:
            return _error("NoSuchVersion", "接口版本不存在。")
        problem = _check_signature(state)
        if problem:
            return _error(*problem)
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return _error("FailedOperation.FailResolvePacket", "请求包解析失败。")
        if state.injected:
            return _error(state.injected.pop(0), "模拟的网关错误。")
        return _send(state, body)

    @app.get("/sim/sms/outbox")
    def outbox():
        phone = request.args.get("phone")
        with state.lock:
            return jsonify([m for m in state.outbox if phone is None or m["phone"] == phone])

    @app.post("/sim/sms/reset")
    def reset():
        state.reset()
        return jsonify({"ok": True})

    @app.post("/sim/sms/fail-next")
    def fail_next():
        """The next request is answered with this request-level error code."""
        state.injected.append((request.get_json(silent=True) or {}).get("code", "InternalError"))
        return jsonify({"ok": True})

    return app


def _send(state: GatewayState, body: dict):
    if body.get("SmsSdkAppId") not in state.sdk_app_ids:
        return _error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId 不存在。")
    if body.get("SignName") not in state.sign_names:
        return _error("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。")
    text = state.templates.get(str(body.get("TemplateId")))
    if text is None:
        return _error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。")
    params = body.get("TemplateParamSet") or []
    if len(params) != parameter_count(text) or not all(isinstance(p, str) for p in params):
        return _error("InvalidParameterValue.TemplateParameterFormatError",
                      "模板参数个数或格式与模板不符。")
    phones = body.get("PhoneNumberSet") or []
    if not phones or len(phones) > 200:
        return _error("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误。")
    statuses = []
    now = time.time()
    with state.lock:
        for raw in phones:
            statuses.append(_send_one(state, str(raw), str(body["TemplateId"]), text, params,
                                      body.get("SignName"), now))
    return jsonify({"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}})


def _send_one(state, raw_phone, template_id, text, params, sign_name, now) -> dict:
    match = E164_MAINLAND.match(raw_phone)
    status = {"SerialNo": "", "PhoneNumber": raw_phone, "Fee": 0, "SessionContext": "",
              "IsoCode": "CN"}
    if match is None:
        return {**status, "Code": "InvalidParameterValue.IncorrectPhoneNumber",
                "Message": "手机号格式错误。", "IsoCode": ""}
    phone = match.group(1)
    limited = _frequency_code(state, phone, template_id, now)
    if limited:
        return {**status, "Code": limited, "Message": "命中频率限制。"}
    state.sends[phone].append((now, template_id))
    serial = uuid.uuid4().hex
    content = f"【{sign_name}】" + render(text, params)
    state.outbox.append({"phone": phone, "template_id": template_id, "params": params,
                         "sign_name": sign_name, "text": content, "serial_no": serial,
                         "at": now})
    # Billing counts 70 characters a message, 67 each once a text runs over.
    fee = 1 if len(content) <= 70 else -(-len(content) // 67)
    return {**status, "SerialNo": serial, "Fee": fee, "Code": "Ok", "Message": "send success"}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Local Tencent Cloud SMS gateway")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    args = parser.parse_args()
    create_sms_simulator_app().run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
