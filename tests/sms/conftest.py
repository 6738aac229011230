from __future__ import annotations

import pytest

from wxapp.sms import simulator
from wxapp.sms.tencent import TencentSms


@pytest.fixture(scope="session")
def sms_gateway_server():
    from wxapp.wechat.simulator import serve_in_thread

    app = simulator.create_sms_simulator_app()
    server = serve_in_thread(app)
    server.state = app.extensions["sms_gateway"]
    yield server
    server.stop()


@pytest.fixture
def sms_gateway(sms_gateway_server):
    """The simulated gateway, emptied for this test: ``.outbox``, ``.state``, ``.endpoint``."""
    state = sms_gateway_server.state
    state.reset()

    class Gateway:
        endpoint = sms_gateway_server.base_url.split("//", 1)[1].rstrip("/")
        base_url = sms_gateway_server.base_url

        @property
        def outbox(self):
            return list(state.outbox)

        def fail_next(self, code):
            state.injected.append(code)

    return Gateway()


def tencent_provider(gateway, **changes) -> TencentSms:
    options = dict(secret_id=simulator.DEV_SECRET_ID, secret_key=simulator.DEV_SECRET_KEY,
                   sdk_app_id=simulator.DEV_SDK_APP_ID, sign_name=simulator.DEV_SIGN_NAME,
                   template_ids=dict(simulator.DEV_TEMPLATE_IDS), endpoint=gateway.endpoint,
                   protocol="http")
    options.update(changes)
    return TencentSms(**options)
