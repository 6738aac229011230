"""Chat with the official account from a terminal, playing WeChat's servers: every line is
a signed (and in safe mode encrypted) push to the service's /wechat URL."""
from __future__ import annotations

import itertools
import time

import requests

from wxapp.wechat import pushes

ACCOUNT = "gh_local_account"
HELP = ("输入文字发送；/voice 文字 发语音；/location 纬度,经度 发位置；/subscribe 关注；"
        "/click KEY 点菜单；/quit 退出")


def _push_for(line: str, openid: str, msg_ids) -> str | None:
    if line.startswith("/voice "):
        return pushes.voice_xml(ACCOUNT, openid, next(msg_ids), recognition=line[7:])
    if line.startswith("/location "):
        # "31.95,118.80" or "31.95 118.80", as a map pin would give them
        parts = line[10:].replace("，", ",").replace(",", " ").split()
        try:
            latitude, longitude = (float(p) for p in parts)
        except ValueError:
            return None
        return pushes.location_xml(ACCOUNT, openid, next(msg_ids), latitude, longitude)
    if line == "/subscribe":
        return pushes.event_xml(ACCOUNT, openid, "subscribe")
    if line.startswith("/click "):
        return pushes.event_xml(ACCOUNT, openid, "CLICK", line[7:].strip())
    if line.startswith("/"):
        return None
    return pushes.text_xml(ACCOUNT, openid, line, next(msg_ids))


def run_chat(service_url: str, token: str, encoding_aes_key: str, appid: str, openid: str,
             mode: str = "plaintext", input_fn=input, output_fn=print, http=None) -> None:
    http = http or requests.Session()
    msg_ids = itertools.count(int(time.time() * 1000))
    output_fn(f"已连接 {service_url}（{mode} 模式）。{HELP}")
    while True:
        try:
            line = input_fn("你：").strip()
        except (EOFError, KeyboardInterrupt):
            output_fn("")
            return
        if line in ("/quit", "/exit"):
            return
        if not line:
            continue
        xml = _push_for(line, openid, msg_ids)
        if xml is None:
            output_fn(HELP)
            continue
        query, body = pushes.build_push(xml, token, mode, encoding_aes_key, appid)
        try:
            response = http.post(service_url, params=query, data=body,
                                 headers={"Content-Type": "text/xml"}, timeout=10)
        except requests.RequestException as exc:
            # Name the URL: the usual cause is a service on another port (PORT, or --url).
            output_fn(f"（连接 {service_url} 失败：{exc.__class__.__name__}。服务是否已启动？"
                      "端口不是 5000 时，请加上与 scripts/dev 相同的 PORT=… 或 --url）")
            continue
        if response.status_code != 200:
            output_fn(f"（服务返回 {response.status_code}，请检查 WECHAT_TOKEN 等配置是否一致）")
            continue
        reply = pushes.read_reply(response.content, mode, token, encoding_aes_key, appid, query)
        output_fn("公众号：" + pushes.describe_reply(reply))
