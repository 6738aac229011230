"""Playing WeChat's servers against the test client (pushes built with wechatpy)."""
from __future__ import annotations

import itertools
import time

from wxapp.config import DEV_WECHAT_APP_ID, DEV_WECHAT_ENCODING_AES_KEY, DEV_WECHAT_TOKEN
from wxapp.wechat import pushes

ACCOUNT = "gh_township_account"
_msg_ids = itertools.count(int(time.time()) * 1000)


class WeChatServer:
    """Plays WeChat's servers against the test client, building pushes with wechatpy."""

    def __init__(self, client, mode="plaintext"):
        self.client = client
        self.mode = mode

    def push(self, xml: str, *, timestamp=None, token=DEV_WECHAT_TOKEN, mode=None,
             query_overrides=None):
        mode = mode or self.mode
        query, body = pushes.build_push(
            xml, token, mode, encoding_aes_key=DEV_WECHAT_ENCODING_AES_KEY,
            appid=DEV_WECHAT_APP_ID, timestamp=timestamp)
        query.update(query_overrides or {})
        return self.client.post("/wechat", query_string=query, data=body,
                                content_type="text/xml"), query

    def reply(self, response, query, mode=None) -> dict | None:
        return pushes.read_reply(response.data, mode or self.mode, DEV_WECHAT_TOKEN,
                                 DEV_WECHAT_ENCODING_AES_KEY, DEV_WECHAT_APP_ID, query)

    def say(self, openid: str, text: str, msg_id=None):
        msg_id = msg_id or next(_msg_ids)
        response, query = self.push(pushes.text_xml(ACCOUNT, openid, text, msg_id))
        assert response.status_code == 200, response.data
        return self.reply(response, query)


def next_msg_id() -> int:
    return next(_msg_ids)
