"""Personal numbers never leave the process: every log line and error report passes here.

An 18-digit resident ID number (居民身份证号码, last character a digit or X), an 11-digit
mobile number (optionally +86), and the values of what WeChat signs a push with or who it is
from in a query string (signature, msg_signature, timestamp, nonce, openid, echostr) are
replaced before anything is written. Matching is on digit runs of exactly that length, so
order numbers, timestamps and masked values (3201********1234) pass unchanged.
"""
from __future__ import annotations

import re
from typing import Any

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z+])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9A-Za-z])")
SIGNED_QUERY_NAMES = ("signature", "msg_signature", "timestamp", "nonce", "openid", "echostr")
SIGNED_QUERY = re.compile(
    r"(?i)(?<![A-Za-z_])(" + "|".join(SIGNED_QUERY_NAMES) + r")=[^&\s\"'#]*")

ID_NUMBER_MARK = "[id-number]"
MOBILE_MARK = "[phone]"


def scrub_text(text: str) -> str:
    if not text:
        return text
    text = ID_NUMBER.sub(ID_NUMBER_MARK, text)
    text = MOBILE.sub(MOBILE_MARK, text)
    return SIGNED_QUERY.sub(lambda m: m.group(1) + "=-", text)


def scrub(value: Any, _depth: int = 0) -> Any:
    """``value`` with every string in it scrubbed (dicts, lists, tuples, sets followed);
    numbers are looked at as their digits, since an ID number may arrive as an int."""
    if _depth > 20:
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        text = str(value)
        cleaned = scrub_text(text)
        return value if cleaned == text else cleaned
    if isinstance(value, bytes):
        return scrub_text(value.decode("utf-8", "replace"))
    if isinstance(value, dict):
        return {scrub(k, _depth + 1) if isinstance(k, str) else k: scrub(v, _depth + 1)
                for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [scrub(v, _depth + 1) for v in value]
        return items if isinstance(value, list) else tuple(items)
    # Anything else is written as its text by the renderers: scrub that text now.
    return scrub_text(str(value))


def scrub_event(logger, method_name, event_dict):
    """structlog processor: runs last before rendering, after exceptions became text."""
    return scrub(event_dict)
