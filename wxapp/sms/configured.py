"""The SMS provider the settings describe, or None where SMS is not set up."""
from __future__ import annotations

from wxapp.config import settings
from wxapp.sms.provider import SmsProvider
from wxapp.sms.templates import parse_template_ids


def sms_provider() -> SmsProvider | None:
    config = settings()
    if not config.sms_sdk_app_id:
        return None
    from wxapp.sms.tencent import TencentSms

    return TencentSms(secret_id=config.sms_secret_id, secret_key=config.sms_secret_key,
                      sdk_app_id=config.sms_sdk_app_id, sign_name=config.sms_sign_name,
                      template_ids=parse_template_ids(config.sms_template_ids),
                      endpoint=config.sms_endpoint, protocol=config.sms_protocol,
                      region=config.sms_region)
