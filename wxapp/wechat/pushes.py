"""What WeChat's servers send to the official account's callback URL, built with wechatpy's
own crypto so that the service's verification and this builder do not share a bug.

Used by the tests, the terminal chat and the benchmarks.
"""
from __future__ import annotations

import hashlib
import secrets
import time

from wechatpy.crypto import WeChatCrypto


def _signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def _cdata(value: str) -> str:
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _now() -> int:
    return int(time.time())


def verification_query(token: str, echostr: str, timestamp: str | None = None,
                       nonce: str | None = None) -> dict:
    timestamp = timestamp or str(_now())
    nonce = nonce or secrets.token_hex(5)
    return {"signature": _signature(token, timestamp, nonce), "timestamp": timestamp,
            "nonce": nonce, "echostr": echostr}


def _message(to_user: str, from_user: str, msg_type: str, fields: str,
             create_time: int | None) -> str:
    return (f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
            f"<FromUserName>{_cdata(from_user)}</FromUserName>"
            f"<CreateTime>{create_time or _now()}</CreateTime>"
            f"<MsgType>{_cdata(msg_type)}</MsgType>{fields}</xml>")


def text_xml(to_user: str, from_user: str, content: str, msg_id: int,
             create_time: int | None = None) -> str:
    return _message(to_user, from_user, "text",
                    f"<Content>{_cdata(content)}</Content><MsgId>{msg_id}</MsgId>", create_time)


def voice_xml(to_user: str, from_user: str, msg_id: int, recognition: str | None = None,
              create_time: int | None = None) -> str:
    fields = (f"<MediaId>{_cdata('media_' + str(msg_id))}</MediaId>"
              f"<Format>{_cdata('amr')}</Format><MsgId>{msg_id}</MsgId>")
    if recognition is not None:
        fields += f"<Recognition>{_cdata(recognition)}</Recognition>"
    return _message(to_user, from_user, "voice", fields, create_time)


def image_xml(to_user: str, from_user: str, msg_id: int, create_time: int | None = None) -> str:
    return _message(to_user, from_user, "image",
                    f"<PicUrl>{_cdata('http://127.0.0.1/pic.jpg')}</PicUrl>"
                    f"<MediaId>{_cdata('media_' + str(msg_id))}</MediaId><MsgId>{msg_id}</MsgId>",
                    create_time)


def location_xml(to_user: str, from_user: str, msg_id: int, lat: float = 31.95,
                 lng: float = 118.8, create_time: int | None = None) -> str:
    return _message(to_user, from_user, "location",
                    f"<Location_X>{lat}</Location_X><Location_Y>{lng}</Location_Y>"
                    f"<Scale>15</Scale><Label>{_cdata('')}</Label><MsgId>{msg_id}</MsgId>",
                    create_time)


def event_xml(to_user: str, from_user: str, event: str, event_key: str | None = None,
              create_time: int | None = None) -> str:
    fields = f"<Event>{_cdata(event)}</Event>"
    if event_key is not None:
        fields += f"<EventKey>{_cdata(event_key)}</EventKey>"
    return _message(to_user, from_user, "event", fields, create_time)


def build_push(xml: str, token: str, mode: str, encoding_aes_key: str | None = None,
               appid: str | None = None, timestamp: str | None = None,
               nonce: str | None = None) -> tuple[dict, bytes]:
    """Query parameters and body of a push in ``plaintext``, ``compatible`` or ``safe`` mode."""
    timestamp = timestamp or str(_now())
    nonce = nonce or secrets.token_hex(5)
    query = {"signature": _signature(token, timestamp, nonce), "timestamp": timestamp,
             "nonce": nonce, "openid": _field(xml, "FromUserName")}
    if mode == "plaintext":
        return query, xml.encode("utf-8")
    if mode not in ("compatible", "safe"):
        raise ValueError(f"unknown mode {mode!r}")
    crypto = WeChatCrypto(token, encoding_aes_key, appid)
    envelope = parse_message_envelope(crypto.encrypt_message(xml, nonce, timestamp))
    query.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
    encrypted = f"<Encrypt>{_cdata(envelope['Encrypt'])}</Encrypt>"
    if mode == "safe":
        body = f"<xml><ToUserName>{_cdata(_field(xml, 'ToUserName'))}</ToUserName>{encrypted}</xml>"
    else:
        body = xml.replace("</xml>", encrypted + "</xml>")
    return query, body.encode("utf-8")


def parse_message_envelope(xml: str) -> dict:
    import xmltodict

    return dict(xmltodict.parse(xml)["xml"])


def _field(xml: str, name: str) -> str:
    import xmltodict

    return xmltodict.parse(xml)["xml"].get(name) or ""


def read_reply(body: bytes, mode: str, token: str, encoding_aes_key: str | None,
               appid: str | None, query: dict | None = None) -> dict | None:
    """The reply a service gave, decrypted when needed; None for "success" or nothing."""
    text = body.decode("utf-8").strip()
    if not text or text == "success":
        return None
    if mode in ("compatible", "safe"):
        envelope = parse_message_envelope(text)
        crypto = WeChatCrypto(token, encoding_aes_key, appid)
        text = crypto.decrypt_message(text, envelope["MsgSignature"], envelope["TimeStamp"],
                                      envelope["Nonce"])
    return parse_message_envelope(text)


def describe_reply(reply: dict | None) -> str:
    """A short human rendering of a reply for the terminal chat."""
    if reply is None:
        return "（没有回复）"
    kind = reply.get("MsgType")
    if kind == "text":
        return reply.get("Content") or ""
    if kind == "news":
        return "[图文消息]"
    return f"[{kind} 消息]"


__all__ = [
    "build_push",
    "describe_reply",
    "event_xml",
    "image_xml",
    "location_xml",
    "read_reply",
    "text_xml",
    "verification_query",
    "voice_xml",
]
