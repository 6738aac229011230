from __future__ import annotations

from wxapp.sms import simulator
from wxapp.sms.tencent import TencentSms


def tencent_provider(gateway, **changes) -> TencentSms:
    options = dict(secret_id=simulator.DEV_SECRET_ID, secret_key=simulator.DEV_SECRET_KEY,
                   sdk_app_id=simulator.DEV_SDK_APP_ID, sign_name=simulator.DEV_SIGN_NAME,
                   template_ids=dict(simulator.DEV_TEMPLATE_IDS), endpoint=gateway.endpoint,
                   protocol="http")
    options.update(changes)
    return TencentSms(**options)
