"""The terminal chat talks to a running service exactly as WeChat would."""
from __future__ import annotations

import pytest

from wxapp.config import DEV_WECHAT_APP_ID, DEV_WECHAT_ENCODING_AES_KEY, DEV_WECHAT_TOKEN
from wxapp.wechat.chat import run_chat
from wxapp.wechat.simulator import serve_in_thread


@pytest.mark.parametrize("mode", ["plaintext", "safe"])
def test_terminal_chat_round_trip(app, mode):
    lines = iter(["/subscribe", "电话", "/voice 菜单", "/bogus", "/location 31.95，118.80",
                  "/location 北京", "/quit"])
    printed = []
    with serve_in_thread(app) as server:
        run_chat(server.base_url + "wechat", DEV_WECHAT_TOKEN, DEV_WECHAT_ENCODING_AES_KEY,
                 DEV_WECHAT_APP_ID, "o_terminal_test", mode=mode,
                 input_fn=lambda prompt: next(lines), output_fn=printed.append)
    replies = [p for p in printed if p.startswith("公众号：")]
    assert "欢迎关注" in replies[0]
    assert "办公时间" in replies[1]
    assert "预约" in replies[2]
    assert any("/voice" in p for p in printed[4:])
    # A location goes to the pickup flow (no points in this empty database); a bad one gets help.
    assert "发放点" in replies[3]
    assert printed[-1].count("/location") == 1 and not printed[-1].startswith("公众号")


def test_terminal_chat_explains_a_wrong_token(app):
    lines = iter(["你好", "/quit"])
    printed = []
    with serve_in_thread(app) as server:
        run_chat(server.base_url + "wechat", "wrong-token", DEV_WECHAT_ENCODING_AES_KEY,
                 DEV_WECHAT_APP_ID, "o_terminal_test", input_fn=lambda prompt: next(lines),
                 output_fn=printed.append)
    assert any("403" in p for p in printed)
