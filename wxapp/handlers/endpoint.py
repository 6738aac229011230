"""The official account's callback URL: verify, decrypt, deduplicate, route, reply.

WeChat only wants a reply within 5 seconds; anything but 200 makes it retry, so a handler's
failure is logged and answered politely rather than raised, and a correctly signed push we
cannot make sense of (no MsgType, a nested one, not UTF-8, CreateTime=abc) is logged and
answered ``success``: a retry would be the same push again. Only a push that fails the
signature, freshness, nonce or XML checks gets a 4xx.
"""
from __future__ import annotations

import logging
import secrets
import time
from contextlib import nullcontext

from flask import Blueprint, Response, current_app, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply

from wxapp.extensions import get_redis
from wxapp.handlers.dedupe import PushDeduplicator, push_key
from wxapp.handlers.push_security import (
    RejectedPush,
    check_fresh,
    check_signature,
    field,
    parse_safe_xml,
    remember_nonce,
)
from wxapp.handlers.routes import handler_for
from wxapp.observability import metrics
from wxapp.services.chat import state as chat_state
from wxapp.services.chat.texts import apology_text
from wxapp.transactions import commit, rollback

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)


def _settings():
    return current_app.config["WXAPP"]


def _plain(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="text/plain")


class UnreadablePush(Exception):
    """Signed and well-formed XML, but not a push we can read."""


def _count_push(kind: str, outcome: str) -> None:
    """One push's outcome, and how long its reply took against WeChat's 5-s limit."""
    metrics.PUSHES.labels(kind=kind, outcome=outcome).inc()
    started = request.environ.get("wxapp.started")
    if started is not None:
        metrics.PUSH_REPLY.labels(outcome=outcome).observe(time.perf_counter() - started)


@bp.errorhandler(RejectedPush)
def _rejected(err: RejectedPush):
    log.info("rejected a push: %s", err.reason)
    if request.method == "POST":
        _count_push("unknown", "refused")
    return _plain("", err.status)


@bp.errorhandler(UnreadablePush)
def _unreadable(err: UnreadablePush):
    log.warning("answered an unreadable push with success: %s", err)
    _count_push("unknown", "unreadable")
    return _plain("success")


@bp.get("/wechat")
def verify_url():
    """WeChat's one-time URL check when the callback is configured."""
    args = request.args
    check_signature(_settings().wechat_token, args.get("signature"), args.get("timestamp"),
                    args.get("nonce"))
    return _plain(args.get("echostr", ""))


def _read_body() -> bytes:
    limit = _settings().wechat_max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise RejectedPush(400, "push too large")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise RejectedPush(400, "push too large")
    return body


def _crypto() -> WeChatCrypto:
    s = _settings()
    return WeChatCrypto(s.wechat_token, s.wechat_encoding_aes_key, s.wechat_app_id)


@bp.post("/wechat")
def receive_push():
    s = _settings()
    args = request.args
    body = _read_body()
    check_signature(s.wechat_token, args.get("signature"), args.get("timestamp"),
                    args.get("nonce"))
    check_fresh(args.get("timestamp"), s.wechat_timestamp_window_seconds)
    encrypted = args.get("encrypt_type", "raw").lower() == "aes"
    if not encrypted and s.requires_encrypted_pushes:
        raise RejectedPush(403, "plaintext push while safe mode is required")
    root = parse_safe_xml(body)
    remember_nonce(get_redis(), args["timestamp"], args["nonce"], body,
                   s.wechat_timestamp_window_seconds)
    if encrypted:
        inner = _decrypt(root, args)
        parse_safe_xml(inner.encode("utf-8"))
        message = _read_message(inner.encode("utf-8"))
    else:
        message = _read_message(body)

    dedupe = PushDeduplicator(get_redis())
    key = push_key(message)
    talking = message.type in ("text", "voice")
    claimed, prefetched = dedupe.claim(
        key, *([chat_state.key_for(message.source)] if talking else []))
    outcome = "answered"
    if claimed:
        with (chat_state.prefetched(message.source, prefetched[0]) if talking
              else nullcontext()):
            reply_xml, outcome = _handle_once(dedupe, key, message)
    else:
        reply_xml = dedupe.earlier_reply(key)
        outcome = "deduplicated"
        if reply_xml is None:
            # The first copy's worker died with the push half done: this retry answers it.
            log.warning("took over a stale claim on a %s push", message.type)
            reply_xml, outcome = _handle_once(dedupe, key, message)
    _count_push(message.type, outcome)
    if not reply_xml:
        return _plain("success")
    if encrypted:
        reply_xml = _crypto().encrypt_message(reply_xml, secrets.token_hex(8),
                                              str(int(time.time())))
    return Response(reply_xml, mimetype="application/xml")


def _read_message(xml: bytes):
    """The wechatpy message of a push, or UnreadablePush for what WeChat would never send."""
    try:
        message = parse_message(xml.decode("utf-8"))
        # Touch what routing and the dedupe key read, so that a bad value fails here.
        ok = (isinstance(message.type, str) and isinstance(message.source, str)
              and isinstance(message.target, str) and isinstance(message.time, int))
        if message.type == "event":
            ok = ok and isinstance(getattr(message, "event", ""), str)
        else:
            ok = ok and message.id is not None and isinstance(message.id, int)
    except (KeyError, AttributeError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise UnreadablePush(f"{type(exc).__name__}: {exc}") from exc
    if not ok:
        raise UnreadablePush("a field is missing or has the wrong shape")
    return message


def _handle_once(dedupe: PushDeduplicator, key: str, message) -> tuple[str, str]:
    reply_xml, outcome = _handle(message)
    dedupe.remember(key, reply_xml)
    return reply_xml, outcome


def _decrypt(root, args) -> str:
    encrypt = field(root, "Encrypt")
    if not encrypt:
        raise RejectedPush(400, "encrypt_type=aes without Encrypt")
    check_signature(_settings().wechat_token, args.get("msg_signature"), args.get("timestamp"),
                    args.get("nonce"), encrypt)
    try:
        return _crypto().decrypt_message({"Encrypt": encrypt}, args.get("msg_signature"),
                                         args.get("timestamp"), args.get("nonce"))
    except (InvalidSignatureException, InvalidAppIdException):
        raise RejectedPush(403, "ciphertext does not belong to this account")
    except Exception:
        raise RejectedPush(400, "undecryptable ciphertext")


def _handle(message) -> tuple[str, str]:
    """The plaintext reply XML for a push ("" for none), and the outcome to count; commits
    the handler's work."""
    outcome = "answered"
    try:
        text = handler_for(message)(message)
        commit()
    except Exception:
        rollback()
        log.exception("handler failed for a %s push", message.type)
        text = apology_text()
        outcome = "handler_error"
    if not text:
        return "", outcome
    return TextReply(message=message, content=text).render(), outcome
