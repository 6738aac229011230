"""What sending one text message can come to, whoever the provider is."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

# Mainland mobile numbers: 11 digits starting with 1. Landlines cannot receive texts.
MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")

SENT = "sent"
RATE_LIMITED = "rate_limited"  # the gateway's per-number limits: try another channel
FAILED = "failed"  # permanent for this message: a wrong number, an unapproved template


@dataclass(frozen=True)
class SmsOutcome:
    status: str
    code: str  # the provider's own code ("Ok", "LimitExceeded.PhoneNumberDailyLimit", …)
    serial_no: str | None = None


class SmsUnavailable(RuntimeError):
    """The gateway could not be asked (network, its internal error): retrying later can
    succeed, so the queue retries."""


class SmsProvider(Protocol):
    def send(self, phone: str, template: str, params: list[str]) -> SmsOutcome:
        """Send ``template`` (our name for it, e.g. "registration_decided") with ``params``
        to a mainland mobile ``phone`` (11 digits)."""


def is_mainland_mobile(phone: str | None) -> bool:
    return bool(phone) and bool(MAINLAND_MOBILE.match(phone))


def to_e164(phone: str) -> str:
    return "+86" + phone
