"""Play a self-service cabinet against a running service.

    python -m wxapp.devices.cabinet_sim heartbeat
    python -m wxapp.devices.cabinet_sim redeem 12345678          # redeem, dispense, report
    python -m wxapp.devices.cabinet_sim redeem 12345678 --jam    # the motor jams: nothing out
    python -m wxapp.devices.cabinet_sim id-card 110101199003070011 condom-m:10
    python -m wxapp.devices.cabinet_sim keypad                    # type codes as a resident would

Defaults match the demo data (`flask --app wsgi seed --demo`): cabinet demo-cab-1 of the demo
township, on the service `scripts/dev` runs: http://127.0.0.1:$PORT (5000 unless PORT is set).
"""
from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
import uuid

import requests

from wxapp.dev_setup import service_url
from wxapp.devices.signing import signed_headers


class CabinetClient:
    def __init__(self, base_url: str, key_id: str, secret: str, session=None):
        self.base_url = base_url.rstrip("/")
        self.key_id, self.secret = key_id, secret
        self.http = session or requests.Session()

    def call(self, path: str, payload: dict) -> tuple[int, dict]:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        full_path = "/device/v1" + path
        headers = signed_headers(self.key_id, self.secret, "POST", full_path, body,
                                 timestamp=int(time.time()), nonce=secrets.token_hex(12))
        response = self.http.post(self.base_url + full_path, data=body, headers=headers,
                                  timeout=10)
        return response.status_code, response.json()

    def heartbeat(self, stock: list[dict] | None = None, faults: list[str] | None = None):
        return self.call("/heartbeat", {"stock": stock or [], "faults": faults or []})

    def redeem_and_dispense(self, code: str, *, jam: bool = False) -> tuple[int, dict]:
        """What the firmware does after a resident types a code: redeem, turn the motors,
        report the result under its own event id (resent as-is if our reply is lost)."""
        status, body = self.call("/redeem", {"code": code})
        if status != 200:
            return status, body
        return self.report(body["pickup_id"], ok=not jam)

    def report(self, pickup_id: int, *, ok: bool) -> tuple[int, dict]:
        event = {"event_id": uuid.uuid4().hex, "pickup_id": pickup_id, "ok": ok}
        if not ok:
            event["fault"] = "出货电机卡住"
        return self.call("/dispense-results", event)

    def id_card(self, id_number: str, items: list[dict]) -> tuple[int, dict]:
        status, body = self.call("/id-card-pickups", {"id_number": id_number, "items": items})
        if status != 200:
            return status, body
        return self.report(body["pickup_id"], ok=True)


def _show(status: int, body: dict) -> None:
    if status == 200:
        print(json.dumps(body, ensure_ascii=False))
    else:
        error = body.get("error", {})
        print(f"[{status}] {error.get('code')}: {error.get('message')}")


def _items(specs: list[str]) -> list[dict]:
    items = []
    for spec in specs:
        code, _, quantity = spec.partition(":")
        items.append({"code": code, "quantity": int(quantity or 1)})
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=service_url(),
                        help="the service (default: http://127.0.0.1:$PORT, PORT else 5000)")
    parser.add_argument("--key-id", default="demo-cab-1")
    parser.add_argument("--secret", default="demo-cabinet-secret-1")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("heartbeat")
    redeem = commands.add_parser("redeem")
    redeem.add_argument("code")
    redeem.add_argument("--jam", action="store_true", help="report a failed dispense")
    card = commands.add_parser("id-card")
    card.add_argument("id_number")
    card.add_argument("items", nargs="+", help="item-code:quantity")
    commands.add_parser("keypad")
    args = parser.parse_args(argv)

    cabinet = CabinetClient(args.url, args.key_id, args.secret)
    if args.command == "heartbeat":
        status, body = cabinet.heartbeat()
    elif args.command == "redeem":
        status, body = cabinet.redeem_and_dispense(args.code, jam=args.jam)
    elif args.command == "id-card":
        status, body = cabinet.id_card(args.id_number, _items(args.items))
    else:
        print("请输入领取码（空行退出）")
        for line in sys.stdin:
            if not line.strip():
                break
            _show(*cabinet.redeem_and_dispense(line.strip()))
        return 0
    _show(status, body)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
