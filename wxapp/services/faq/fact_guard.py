"""Keeping an edited answer's facts right: township facts only through placeholders, and
figures (0.4 毫克, 72 小时, 3600 元) changed only on purpose.

``answer_problems`` are mistakes that cannot be saved (an unknown placeholder residents would
read as “{office_fax}”); ``answer_warnings`` are changes a person must confirm (a phone number
typed into the answer, a figure that was in the answer and is gone). Both in Chinese, for the
editor to show beside the answer.
"""
from __future__ import annotations

import re

from wxapp.faq.knowledge_base import (
    ALLOWED_PLACEHOLDERS,
    fill_placeholders,
    load_knowledge_base,
    placeholders_in,
)
from wxapp.services import township_settings
from wxapp.services.faq.admin import DEFAULT_KB
from wxapp.services.faq.bot import placeholder_values

PLACEHOLDER_LABELS = {
    "office_name": "办公室名称",
    "office_phone": "办公电话",
    "office_address": "办公地址",
    "office_hours": "办公时间",
    "township_name": "本镇名称",
    "review_working_days": "生育登记审核时限（工作日）",
    "booking_cancel_cutoff_hours": "孕检预约可取消的截止时间（小时）",
    "pickup_code_valid_minutes": "药具领取码有效时间（分钟）",
    "clinic_names": "可预约孕检的医院",
    "supplies_fair_use": "药具领取上限",
}
# Settings a resident may need to act on: typed into an answer, they go stale when the
# office changes them.
TOWNSHIP_FACTS = ("office_phone", "office_address", "office_hours")
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{3,4}-\d{7,8})(?!\d)")
_FIGURE = re.compile(r"\d+(?:[.,，]\d+)*")


def placeholder_guide() -> list[dict]:
    """Every placeholder an answer may use, what it means, and what residents read today."""
    values = placeholder_values(*("{" + name + "}" for name in PLACEHOLDER_LABELS))
    return [{"name": name, "token": "{" + name + "}", "label": PLACEHOLDER_LABELS[name],
             "value": fill_placeholders("{" + name + "}", values)}
            for name in PLACEHOLDER_LABELS if name in ALLOWED_PLACEHOLDERS]


def answer_problems(answer: str) -> list[str]:
    used = placeholders_in(answer)
    if "<unbalanced braces>" in used:
        return ["花括号 { } 没有成对出现：占位符应写成 {office_phone} 这样，"
                "答案里不要单独使用花括号。"]
    unknown = sorted(used - ALLOWED_PLACEHOLDERS)
    if unknown:
        names = "、".join("{" + name + "}" for name in unknown)
        return [f"没有这个占位符：{names}。只能使用右侧列出的占位符（注意拼写）。"]
    return []


def _figures(text: str) -> list[str]:
    return [f.replace("，", ",").replace(",", "") for f in _FIGURE.findall(text)]


def shipped_answer(code: str) -> str | None:
    """The answer wxapp ships for ``code`` (checked against the national policy), if any."""
    for entry in load_knowledge_base(DEFAULT_KB).entries:
        if entry.code == code:
            return entry.answer
    return None


def answer_warnings(answer: str, saved_answer: str | None) -> list[str]:
    """What a person should confirm before ``answer`` replaces ``saved_answer`` (None: a new
    entry)."""
    warnings = []
    settings = township_settings.current().reply_placeholders()
    for name in TOWNSHIP_FACTS:
        value = (settings.get(name) or "").strip()
        if len(value) >= 4 and value in answer:
            warnings.append(f"答案里直接写了“{value}”（{PLACEHOLDER_LABELS[name]}）：请改用占位符 "
                            f"{{{name}}}，设置变了答案会跟着变。")
    for phone in dict.fromkeys(_PHONE.findall(answer)):
        if not any(phone in w for w in warnings):
            warnings.append(f"答案里有电话号码“{phone}”：本镇的电话请用占位符 {{office_phone}}；"
                            "其他单位的电话请核对无误。")
    if saved_answer is not None:
        lost = placeholders_in(saved_answer) - placeholders_in(answer)
        for name in sorted(lost & ALLOWED_PLACEHOLDERS):
            label = PLACEHOLDER_LABELS.get(name, name)
            warnings.append(f"修改后不再使用占位符 {{{name}}}（{label}），居民将看不到这项信息。")
        before, after = _figures(saved_answer), _figures(answer)
        gone = [f for f in dict.fromkeys(before) if f not in after]
        added = [f for f in dict.fromkeys(after) if f not in before]
        if gone:
            warnings.append("原答案中的数字 " + "、".join(gone) + " 在修改后不见了："
                            "请对照现行政策核对（剂量、时限、金额写错会误导居民）。")
        if added:
            warnings.append("新写入的数字 " + "、".join(added) + "：请确认与现行政策一致。")
    return warnings
