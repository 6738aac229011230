"""Tencent Cloud SMS (API 2021-01-11, SendSms) through Tencent's maintained Python SDK.

The SDK signs requests (TC3-HMAC-SHA256); the local simulator checks those signatures with
its own implementation of the documented algorithm, so the two cannot share one bug."""
from __future__ import annotations

import logging

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from wxapp.sms.provider import (
    FAILED,
    RATE_LIMITED,
    SENT,
    SmsOutcome,
    SmsUnavailable,
    is_mainland_mobile,
    to_e164,
)

log = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 5
# Request-level codes after which the same request can succeed later.
TRANSIENT_PREFIXES = ("ClientNetworkError", "ServerNetworkError", "InternalError",
                      "RequestLimitExceeded")


class TencentSms:
    def __init__(self, *, secret_id: str, secret_key: str, sdk_app_id: str, sign_name: str,
                 template_ids: dict[str, str], endpoint: str = "sms.tencentcloudapi.com",
                 protocol: str = "https", region: str = "ap-guangzhou"):
        profile = ClientProfile(httpProfile=HttpProfile(
            protocol=protocol, endpoint=endpoint, reqTimeout=HTTP_TIMEOUT_SECONDS))
        self._client = sms_client.SmsClient(credential.Credential(secret_id, secret_key),
                                            region, profile)
        self._sdk_app_id = sdk_app_id
        self._sign_name = sign_name
        self._template_ids = template_ids

    def send(self, phone: str, template: str, params: list[str]) -> SmsOutcome:
        if not is_mainland_mobile(phone):
            return SmsOutcome(FAILED, "InvalidParameterValue.IncorrectPhoneNumber")
        template_id = self._template_ids.get(template)
        if template_id is None:
            # A template the operator never registered: nothing will ever send it.
            log.error("SMS template %s has no id in SMS_TEMPLATE_IDS", template)
            return SmsOutcome(FAILED, "wxapp.TemplateNotConfigured")
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [to_e164(phone)]
        request.SmsSdkAppId = self._sdk_app_id
        request.SignName = self._sign_name
        request.TemplateId = template_id
        request.TemplateParamSet = [str(value) for value in params]
        try:
            response = self._client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "Unknown"
            if code.startswith(TRANSIENT_PREFIXES):
                raise SmsUnavailable(f"SendSms failed with {code}") from exc
            log.error("SendSms refused: %s", code)
            return SmsOutcome(FAILED, code)
        status = response.SendStatusSet[0]
        if status.Code == "Ok":
            return SmsOutcome(SENT, status.Code, status.SerialNo)
        if status.Code.startswith("LimitExceeded."):
            return SmsOutcome(RATE_LIMITED, status.Code)
        return SmsOutcome(FAILED, status.Code)
