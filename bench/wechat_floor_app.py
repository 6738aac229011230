"""The least a safe-mode /wechat can do, for comparison only (bench/wechat_endpoint.py
--floor): every step the issue asks of a push, with the project's own checks and wechatpy,
and nothing else: no app factory, no database, no handlers, no chat state."""
from __future__ import annotations

import os
import secrets
import time

import redis
from flask import Flask, Response, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply

from wxapp.config import DEV_WECHAT_APP_ID, DEV_WECHAT_ENCODING_AES_KEY, DEV_WECHAT_TOKEN
from wxapp.handlers.push_security import check_fresh, check_signature, field, parse_safe_xml

app = Flask(__name__)
_redis = redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(
    os.environ["REDIS_URL"], max_connections=20))
_crypto = WeChatCrypto(DEV_WECHAT_TOKEN, DEV_WECHAT_ENCODING_AES_KEY, DEV_WECHAT_APP_ID)


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/wechat")
def wechat():
    args = request.args
    body = request.get_data()
    timestamp, nonce = args.get("timestamp"), args.get("nonce")
    check_signature(DEV_WECHAT_TOKEN, args.get("signature"), timestamp, nonce)
    check_fresh(timestamp, 300)
    encrypt = field(parse_safe_xml(body), "Encrypt")
    check_signature(DEV_WECHAT_TOKEN, args.get("msg_signature"), timestamp, nonce, encrypt)
    inner = _crypto.decrypt_message({"Encrypt": encrypt}, args.get("msg_signature"),
                                    timestamp, nonce)
    parse_safe_xml(inner.encode("utf-8"))
    message = parse_message(inner)
    key = f"bench:floor:{message.source}:{message.id}"
    pipe = _redis.pipeline(transaction=False)
    pipe.set(key, b"pending", nx=True, ex=30)
    pipe.get(f"bench:floor:state:{message.source}")
    pipe.execute()
    reply = TextReply(message=message, content="菜单").render()
    _redis.set(key, reply, ex=600)
    return Response(_crypto.encrypt_message(reply, secrets.token_hex(8), str(int(time.time()))),
                    mimetype="application/xml")
