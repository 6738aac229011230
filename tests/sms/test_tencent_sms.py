"""Tencent Cloud SMS through its SDK, against the local gateway that holds it to Tencent's
documented rules."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import requests
import time_machine

from wxapp.sms import simulator
from wxapp.sms.provider import FAILED, RATE_LIMITED, SENT, SmsUnavailable
from wxapp.sms.templates import TEMPLATES, parameter_count, parse_template_ids

from .conftest import tencent_provider

PHONE = "13800138000"


def test_a_text_is_delivered_with_the_signature_and_the_template_filled_in(sms_gateway):
    outcome = tencent_provider(sms_gateway).send(PHONE, "service_update", ["生育登记", "已通过"])
    assert outcome.status == SENT and outcome.code == "Ok" and outcome.serial_no
    [message] = sms_gateway.outbox
    assert message["phone"] == PHONE
    assert message["text"] == ("【镇卫健办】您办理的生育登记有新进展：已通过。"
                               "详情请在微信中打开本镇卫健服务查看。")


def test_a_wrong_secret_key_fails_the_signature_check_and_nothing_is_sent(sms_gateway):
    outcome = tencent_provider(sms_gateway, secret_key="not-the-key").send(
        PHONE, "staff_alert", ["审核即将超期", "3件"])
    assert (outcome.status, outcome.code) == (FAILED, "AuthFailure.SignatureFailure")
    assert sms_gateway.outbox == []


@pytest.mark.parametrize("changes, code", [
    ({"sign_name": "未审批签名"}, "FailedOperation.SignatureIncorrectOrUnapproved"),
    ({"sdk_app_id": "1400999999"}, "InvalidParameterValue.SdkAppIdNotExist"),
    ({"template_ids": {"staff_alert": "999999"}}, "FailedOperation.TemplateIncorrectOrUnapproved"),
    ({"template_ids": {}}, "wxapp.TemplateNotConfigured"),
])
def test_configuration_mistakes_fail_with_the_gateways_code(sms_gateway, changes, code):
    outcome = tencent_provider(sms_gateway, **changes).send(PHONE, "staff_alert", ["a", "b"])
    assert (outcome.status, outcome.code) == (FAILED, code)
    assert sms_gateway.outbox == []


def test_the_wrong_number_of_parameters_is_refused(sms_gateway):
    outcome = tencent_provider(sms_gateway).send(PHONE, "staff_alert", ["只有一个"])
    assert outcome.code == "InvalidParameterValue.TemplateParameterFormatError"


@pytest.mark.parametrize("phone", ["", "12345", "0571-8888888", "23800138000", "138001380001"])
def test_a_number_that_is_not_a_mainland_mobile_is_never_sent(sms_gateway, phone):
    outcome = tencent_provider(sms_gateway).send(phone, "staff_alert", ["a", "b"])
    assert (outcome.status, outcome.code) == (FAILED, "InvalidParameterValue.IncorrectPhoneNumber")
    assert sms_gateway.outbox == []


def test_the_same_template_to_one_number_waits_thirty_seconds(sms_gateway):
    provider = tencent_provider(sms_gateway)
    with time_machine.travel(time.time(), tick=False) as clock:
        assert provider.send(PHONE, "staff_alert", ["a", "1"]).status == SENT
        again = provider.send(PHONE, "staff_alert", ["a", "2"])
        assert (again.status, again.code) == (RATE_LIMITED,
                                              "LimitExceeded.PhoneNumberThirtySecondLimit")
        assert provider.send(PHONE, "service_update", ["a", "b"]).status == SENT
        assert provider.send("13900139000", "staff_alert", ["a", "3"]).status == SENT
        clock.shift(timedelta(seconds=31))
        assert provider.send(PHONE, "staff_alert", ["a", "4"]).status == SENT
    assert len(sms_gateway.outbox) == 4


def test_five_an_hour_and_ten_a_day_per_number(sms_gateway):
    provider = tencent_provider(sms_gateway)
    with time_machine.travel(time.time(), tick=False) as clock:
        for _ in range(5):
            assert provider.send(PHONE, "staff_alert", ["a", "b"]).status == SENT
            clock.shift(timedelta(seconds=31))
        assert provider.send(PHONE, "staff_alert", ["a", "b"]).code == \
            "LimitExceeded.PhoneNumberOneHourLimit"
        clock.shift(timedelta(hours=1))
        for _ in range(5):
            assert provider.send(PHONE, "staff_alert", ["a", "b"]).status == SENT
            clock.shift(timedelta(seconds=31))
        clock.shift(timedelta(hours=1))
        assert provider.send(PHONE, "staff_alert", ["a", "b"]).code == \
            "LimitExceeded.PhoneNumberDailyLimit"
        clock.shift(timedelta(days=1))
        assert provider.send(PHONE, "staff_alert", ["a", "b"]).status == SENT
    assert len(sms_gateway.outbox) == 11


@pytest.mark.parametrize("code", ["InternalError", "InternalError.Timeout",
                                  "RequestLimitExceeded"])
def test_a_gateway_that_cannot_answer_now_is_retried_later(sms_gateway, code):
    sms_gateway.fail_next(code)
    with pytest.raises(SmsUnavailable):
        tencent_provider(sms_gateway).send(PHONE, "staff_alert", ["a", "b"])
    assert tencent_provider(sms_gateway).send(PHONE, "staff_alert", ["a", "b"]).status == SENT


def test_an_unreachable_gateway_is_retried_later():
    provider = tencent_provider(type("Closed", (), {"endpoint": "127.0.0.1:9"})())
    with pytest.raises(SmsUnavailable):
        provider.send(PHONE, "staff_alert", ["a", "b"])


# -- the gateway's own checks, by hand-made requests ----------------------------------------
def _signed(gateway, body: bytes, *, timestamp: int | None = None, sign_body: bytes | None = None):
    timestamp = timestamp or int(time.time())
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    headers = {"content-type": "application/json", "host": gateway.endpoint}
    signature = simulator.expected_signature(
        simulator.DEV_SECRET_KEY, method="POST", path="/", query="", headers=headers,
        signed_headers=["content-type", "host"], body=sign_body or body,
        timestamp=str(timestamp), date=date, service="sms")
    return {
        "Content-Type": "application/json", "X-TC-Action": "SendSms",
        "X-TC-Version": simulator.API_VERSION, "X-TC-Timestamp": str(timestamp),
        "Authorization": (f"TC3-HMAC-SHA256 Credential={simulator.DEV_SECRET_ID}/{date}/sms/"
                          f"tc3_request, SignedHeaders=content-type;host, Signature={signature}"),
    }


def _body(**changes) -> bytes:
    body = {"PhoneNumberSet": ["+86" + PHONE], "SmsSdkAppId": simulator.DEV_SDK_APP_ID,
            "SignName": simulator.DEV_SIGN_NAME,
            "TemplateId": simulator.DEV_TEMPLATE_IDS["staff_alert"],
            "TemplateParamSet": ["a", "b"]}
    body.update(changes)
    return json.dumps(body).encode()


def test_a_request_signed_by_hand_with_the_documented_algorithm_is_accepted(sms_gateway):
    body = _body()
    answer = requests.post(sms_gateway.base_url, data=body, headers=_signed(sms_gateway, body),
                           timeout=5).json()["Response"]
    assert answer["SendStatusSet"][0]["Code"] == "Ok"


def test_a_body_changed_after_signing_is_refused(sms_gateway):
    signed_for = _body()
    sent = _body(PhoneNumberSet=["+8613900139000"])
    answer = requests.post(sms_gateway.base_url, data=sent,
                           headers=_signed(sms_gateway, sent, sign_body=signed_for),
                           timeout=5).json()["Response"]
    assert answer["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert sms_gateway.outbox == []


def test_a_stale_timestamp_is_refused(sms_gateway):
    body = _body()
    headers = _signed(sms_gateway, body, timestamp=int(time.time()) - 301)
    answer = requests.post(sms_gateway.base_url, data=body, headers=headers,
                           timeout=5).json()["Response"]
    assert answer["Error"]["Code"] == "AuthFailure.SignatureExpire"


def test_each_number_of_a_batch_gets_its_own_status(sms_gateway):
    body = _body(PhoneNumberSet=["+86" + PHONE, "+86123", "8613900139000"])
    statuses = requests.post(sms_gateway.base_url, data=body,
                             headers=_signed(sms_gateway, body),
                             timeout=5).json()["Response"]["SendStatusSet"]
    assert [s["Code"] for s in statuses] == [
        "Ok", "InvalidParameterValue.IncorrectPhoneNumber", "Ok"]
    assert [m["phone"] for m in sms_gateway.outbox] == [PHONE, "13900139000"]


def test_templates_and_their_ids():
    assert {name: parameter_count(text) for name, text in TEMPLATES.items()} == {
        "service_update": 2, "booking_reminder": 3, "staff_alert": 2}
    assert parse_template_ids(" service_update:11, staff_alert:12,,bad, :3") == {
        "service_update": "11", "staff_alert": "12"}
