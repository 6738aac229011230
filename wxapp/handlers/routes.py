"""Which function answers which kind of push. Each returns reply text, or None for none."""
from __future__ import annotations

import logging
from collections.abc import Callable

from wxapp.services.accounts import residents
from wxapp.services.chat import pickup as chat_pickup
from wxapp.services.chat import texts
from wxapp.services.chat.replies import reply_to_text

log = logging.getLogger(__name__)

Handler = Callable[[object], "str | None"]
_HANDLERS: dict[str, Handler] = {}

# Keys of the official account's custom menu (set up in WeChat's console).
MENU_CLICK_REPLIES = {
    "MENU_GUIDE": texts.menu_text,
    "MENU_CONTACT": texts.contact_text,
}


def handles(*kinds: str):
    def register(func: Handler) -> Handler:
        for kind in kinds:
            _HANDLERS[kind] = func
        return func
    return register


def handler_for(message) -> Handler:
    kind = f"event:{getattr(message, 'event', '')}" if message.type == "event" else message.type
    return _HANDLERS.get(kind, _unknown)


@handles("event:subscribe", "event:subscribe_scan")
def on_follow(message):
    residents.record_follow(message.source)
    return texts.welcome_text()


@handles("event:unsubscribe")
def on_unfollow(message):
    residents.record_unfollow(message.source)
    return None


@handles("event:click")
def on_menu_click(message):
    reply = MENU_CLICK_REPLIES.get(message.key or "")
    return reply() if reply else texts.menu_text()


@handles("event:view", "event:scan", "event:location", "event:templatesendjobfinish",
         "event:subscribe_msg_popup_event", "event:subscribe_msg_change_event",
         "event:subscribe_msg_sent_event")
def on_quiet_event(message):
    return None


@handles("text")
def on_text(message):
    return reply_to_text(message.source, message.content or "")


@handles("voice")
def on_voice(message):
    # With speech recognition switched on, WeChat sends the transcript as Recognition.
    recognised = (getattr(message, "recognition", None) or "").strip()
    if not recognised:
        return texts.voice_not_understood_text()
    return reply_to_text(message.source, recognised)


@handles("location")
def on_location(message):
    # Whether or not she said 领取 first, a location means "what is near me".
    latitude, longitude = message.location
    return chat_pickup.reply_to_location(message.source, float(latitude), float(longitude))


@handles("image", "video", "shortvideo", "link", "file")
def on_media(message):
    return texts.unsupported_media_text()


def _unknown(message):
    if message.type == "event":
        return None
    return texts.unsupported_media_text()
