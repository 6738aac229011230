"""Two instances behind nginx (deploy/nginx/wxapp.conf), one killed mid-load as a lost
machine would be: nothing residents sent is lost, nothing is done twice.

Clients behave as the real ones do: the mini-program retries a failed create with the same
Idempotency-Key, WeChat re-sends a push with the same MsgId, a cabinet re-sends a redeem."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from tests.observability.journey import _local_village, _slot
from wxapp.config import DEV_WECHAT_TOKEN
from wxapp.extensions import db
from wxapp.models import (
    Pickup,
    QuestionLog,
    ScreeningBooking,
    ScreeningSlot,
    SupplyItem,
    SupplyPoint,
)
from wxapp.seeding.seed import seed_default, seed_demo, seed_supply_items
from wxapp.services.supplies.ledger import ledger_problems
from wxapp.testing.cluster import Cluster, nginx_binary
from wxapp.testing.people import couple_body
from wxapp.transactions import commit
from wxapp.wechat import pushes

pytestmark = [pytest.mark.scaleout,
              pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed")]
RESIDENTS = 16
# A client that keeps trying for about half a minute: on a 2-core machine also running the
# rest of CI, the surviving instance can take a while to be the only one answering.
RETRIES = 20
WECHAT_ATTEMPTS = 4
WECHAT_RESEND_SECONDS = 5.2


@pytest.fixture
def cluster(app, base_settings, wechat_sim):
    if not base_settings.database_url.startswith("postgresql") or not base_settings.redis_url:
        pytest.skip("two instances share PostgreSQL and a real Redis: set DATABASE_URL and "
                    "REDIS_URL")
    env = {"DATABASE_URL": base_settings.database_url, "REDIS_URL": base_settings.redis_url,
           "WECHAT_API_BASE_URL": base_settings.wechat_api_base_url,
           "UPLOAD_DIR": base_settings.upload_dir, "TRUSTED_PROXY_COUNT": "1",
           "RATE_LIMITS_DISABLED": "true", "LOG_FORMAT": "json"}
    running = Cluster(env, instances=2, workers=2, threads=4).start()
    yield running
    running.stop()


def send(method: str, url: str, build=None, **kwargs) -> requests.Response:
    """As a client does: retry a refused or cut-off connection or a 502/503/504 with the same
    request (``build()`` makes a fresh one, as WeChat does for a re-sent push)."""
    # WeChat re-sends a push only after its 5-second wait for an answer, three times at most;
    # the push handler's dedupe relies on that rhythm (a claim younger than 5 s is live).
    attempts = WECHAT_ATTEMPTS if build is not None else RETRIES
    for attempt in range(attempts):
        if build is not None:
            kwargs = build()
        started = time.monotonic()
        try:
            answer = requests.request(method, url, timeout=30, **kwargs)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            # An instance killed between writing its headers and its body leaves nginx to cut
            # the body short: to the client that is a failed request like a refused one.
            answer = None
        if answer is not None and answer.status_code not in (502, 503, 504):
            return answer
        if build is not None:
            time.sleep(max(0.0, WECHAT_RESEND_SECONDS - (time.monotonic() - started)))
        else:
            time.sleep(min(0.2 * (attempt + 1), 2.0))  # a client's back-off
    raise AssertionError(f"{method} {url} failed {attempts} times")


def cabinet_headers(path: str, body: bytes) -> dict:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    message = "\n".join(["POST", path, timestamp, nonce,
                         hashlib.sha256(body).hexdigest()]).encode()
    signature = hmac.new(b"demo-cabinet-secret-1", message, hashlib.sha256).hexdigest()
    return {"X-Device-Key": "demo-cab-1", "X-Device-Timestamp": timestamp,
            "X-Device-Nonce": nonce, "X-Device-Signature": signature,
            "Content-Type": "application/json"}


def test_killing_one_instance_mid_load_loses_nothing_and_does_nothing_twice(
        app_ctx, cluster, sim):
    seed_default()
    seed_supply_items()
    seed_demo()
    commit()
    village = _local_village()
    slot_id = _slot(village)
    db.session.get(ScreeningSlot, slot_id).capacity = RESIDENTS + 5
    commit()
    point = db.session.scalars(select(SupplyPoint).filter_by(code="CAB-DH-01")).one().id
    condom = db.session.scalars(select(SupplyItem).filter_by(code="condom-m")).one().id
    base = cluster.url
    msg_ids = itertools.count(int(time.time()) * 1000)
    done, halfway = [], threading.Event()

    def log_in(number: int) -> str:
        # A wx.login code is single-use: when the instance that spent it dies before answering,
        # the mini-program calls wx.login again for a new code rather than re-sending the old.
        for _ in range(RETRIES):
            code = sim.login_code(f"scale-{number}")["code"]
            answer = send("POST", base + "/api/v1/auth/login", json={"code": code})
            if answer.status_code == 200:
                return answer.json()["token"]
        raise AssertionError(f"resident {number} could not log in: {answer.text}")

    def resident(number: int) -> dict:
        me = {"Authorization": f"Bearer {log_in(number)}"}
        couple = send("PUT", base + "/api/v1/me/screening-couple", headers=me,
                      json=couple_body(100 + number, village))
        assert couple.status_code == 200, couple.text
        booked = send("POST", base + "/api/v1/me/bookings", json={"slot_id": slot_id},
                      headers={**me, "Idempotency-Key": f"book-{number}-{secrets.token_hex(4)}"})
        assert booked.status_code == 201, booked.text
        issued = send("POST", base + "/api/v1/me/pickups", headers={
            **me, "Idempotency-Key": f"pick-{number}-{secrets.token_hex(4)}"},
            json={"point_id": point, "items": [{"item_id": condom, "quantity": 1}]})
        assert issued.status_code == 201, issued.text
        body = json.dumps({"code": issued.json()["code"]}).encode()
        redeemed = send("POST", base + "/device/v1/redeem", build=lambda: {
            "data": body, "headers": cabinet_headers("/device/v1/redeem", body)})
        # A re-sent redeem after a lost answer finds the code used: still one pickup.
        assert redeemed.status_code in (200, 409), redeemed.text
        msg_id = next(msg_ids)

        def push():
            xml = pushes.text_xml("gh_scale", f"o_scale_{number}", "怀孕了要办什么手续", msg_id)
            query, data = pushes.build_push(xml, DEV_WECHAT_TOKEN, "plaintext")
            return {"params": query, "data": data, "headers": {"Content-Type": "text/xml"}}

        answered = send("POST", base + "/wechat", build=push)
        assert answered.status_code == 200 and "<Content>" in answered.text
        done.append(number)
        if len(done) >= RESIDENTS // 3:
            halfway.set()
        return {"booking": booked.json()["id"], "pickup": issued.json()["id"]}

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(resident, n) for n in range(RESIDENTS)]
        assert halfway.wait(300)
        cluster.kill(0)
        finished_before_kill = len(done)
        results = [future.result(timeout=300) for future in futures]

    assert finished_before_kill < RESIDENTS  # the kill landed mid-load
    db.session.expire_all()
    bookings = db.session.scalar(select(func.count()).select_from(ScreeningBooking))
    assert bookings == RESIDENTS == len({r["booking"] for r in results})
    assert db.session.get(ScreeningSlot, slot_id).booked == RESIDENTS
    pickups = db.session.scalar(select(func.count()).select_from(Pickup))
    assert pickups == RESIDENTS == len({r["pickup"] for r in results})
    redeemed = db.session.scalar(select(func.count()).select_from(Pickup)
                                 .where(Pickup.status == "redeemed"))
    assert redeemed == RESIDENTS
    assert ledger_problems() == []
    questions = db.session.scalar(select(func.count()).select_from(QuestionLog))
    assert questions == RESIDENTS  # each push answered once, the re-sent ones deduplicated
    # Both instances served before the kill; the survivor served the rest.
    logs = [(cluster.workdir / f"access-{i.port}.log").read_text() for i in cluster.running]
    assert all('"path": "/api/v1/me/bookings"' in log for log in logs)
