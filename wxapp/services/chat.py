"""What the official account answers to a resident's text (typed or spoken).

Service keywords route to actions before anything else: a resident who sends "进度" wants
their own applications, not an article about progress tracking.
"""
from __future__ import annotations

import re

from wxapp.services import chat_texts as texts

_SPACE = re.compile(r"[\s，。！？!?,.~～、]+")

SERVICE_KEYWORDS = {
    "菜单": "menu", "帮助": "menu", "help": "menu", "?": "menu", "？": "menu",
    "进度": "progress", "查进度": "progress", "查询进度": "progress",
    "预约": "booking", "孕检预约": "booking",
    "领取": "pickup", "领取码": "pickup",
    "人工": "human", "转人工": "human", "人工客服": "human",
    "联系": "contact", "电话": "contact", "联系方式": "contact",
}


def service_action(text: str) -> str | None:
    return SERVICE_KEYWORDS.get(_SPACE.sub("", text).lower())


def reply_to_text(openid: str, text: str) -> str:
    action = service_action(text)
    if action in ("contact", "human"):
        return texts.contact_text()
    if action == "progress":
        return "查看申请进度：请打开小程序“我的申请”。"
    if action == "booking":
        return "预约免费孕前优生健康检查：请打开小程序“孕检预约”。"
    if action == "pickup":
        return "领取免费避孕药具：请打开小程序“免费药具”，选择附近的发放点获取领取码。"
    # Until the FAQ bot answers questions, every other text gets the menu.
    return texts.menu_text()
