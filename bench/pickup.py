"""Cabinets redeeming pickup codes: 16 cabinets at once under gunicorn, each typing in its
residents' codes and reporting each dispense, through the signed device API. Some codes are
typed twice (a resident pressing again); none may be dispensed twice. Prints redemptions per
second, p50/p99 latency of every device call, answers by kind, and checks the ledger after.
Target (issue 6): p99 under 100 ms, no double dispense.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/pickup.py [--cabinets 16] [--codes 60] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import Request, cpu_seconds, run_load  # noqa: E402
from bench.service import running_service  # noqa: E402
from wxapp.devices.signing import signed_headers  # noqa: E402

PORT = 18097
# Where the CPU goes: the gunicorn workers, PostgreSQL's backends, this load generator.
CPU_OF = {"server": f"127.0.0.1:{PORT}", "postgres": "postgres: ", "load generator":
          "bench/pickup.py"}
SECRET = "bench-cabinet-secret"


def prepare(database_url: str, cabinets: int, codes: int) -> list[list[tuple[str, int, str]]]:
    """Cabinets with stock, and one held code per (invented) resident. Returns, per cabinet,
    (key id, pickup id, code) in the order its residents will type them."""
    from sqlalchemy import select

    from wxapp import create_app
    from wxapp.config import Settings, normalise_database_url
    from wxapp.extensions import db
    from wxapp.models import Resident, StaffUser, SupplyItem, SupplyPoint
    from wxapp.services.supplies import ledger, pickups
    from wxapp.transactions import commit

    app = create_app(replace(Settings(), database_url=normalise_database_url(database_url)))
    plan = []
    with app.app_context():
        admin = db.session.scalars(select(StaffUser).filter_by(username="demo-admin")).one()
        condom = db.session.scalars(select(SupplyItem).filter_by(code="condom-m")).one()
        ledger.receive(admin, condom.id, "BENCH-01", __import__("datetime").date(2030, 1, 1),
                       cabinets * codes * 3)
        for c in range(cabinets):
            point = SupplyPoint(township_id=admin.township_id, code=f"BENCH-CAB-{c:02d}",
                                name=f"压测发放机{c:02d}", kind="cabinet", address="压测",
                                latitude=31.95, longitude=118.80, status="online",
                                device_key_id=f"bench-cab-{c:02d}", device_secret=SECRET)
            db.session.add(point)
            db.session.flush()
            ledger.issue(admin, point.id, condom.id, codes * 3)
            mine = []
            for n in range(codes):
                resident = Resident(mp_openid=f"bench-{c:02d}-{n:04d}")
                db.session.add(resident)
                db.session.flush()
                pickup = pickups.request_pickup(resident, point.id,
                                                [pickups.Wanted(condom.id, 2)])
                mine.append((point.device_key_id, pickup.id, pickup.code))
            plan.append(mine)
            commit()
    return plan


def _round_requests(this_round, repeat_every: int, cabinet: int):
    return requests_for(this_round[cabinet], repeat_every)


def requests_for(cabinet_plan: list[tuple[str, int, str]], repeat_every: int):
    def signed(key_id: str, path: str, payload: dict) -> Request:
        body = json.dumps(payload).encode()
        return Request("POST", path, body, signed_headers(
            key_id, SECRET, "POST", path, body, timestamp=int(time.time()),
            nonce=secrets.token_hex(12)))

    for n, (key_id, pickup_id, code) in enumerate(cabinet_plan):
        yield signed(key_id, "/device/v1/redeem", {"code": code})
        yield signed(key_id, "/device/v1/dispense-results",
                     {"event_id": f"bench-event-{pickup_id:08d}", "pickup_id": pickup_id,
                      "ok": True})
        if n % repeat_every == 0:  # the same code typed again after it was used
            yield signed(key_id, "/device/v1/redeem", {"code": code})


def check(database_url: str) -> tuple[int, int, list[str]]:
    from sqlalchemy import func, select

    from wxapp import create_app
    from wxapp.config import Settings, normalise_database_url
    from wxapp.extensions import db
    from wxapp.models import Pickup, StockMovement
    from wxapp.services.supplies.ledger import ledger_problems

    app = create_app(replace(Settings(), database_url=normalise_database_url(database_url)))
    with app.app_context():
        dispensed = db.session.scalar(select(func.count()).select_from(Pickup)
                                      .filter_by(status="dispensed"))
        doubled = db.session.scalar(select(func.count()).select_from(
            select(StockMovement.pickup_id).filter_by(kind="dispense")
            .group_by(StockMovement.pickup_id).having(func.count() > 1).subquery()))
        return dispensed, doubled, ledger_problems()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cabinets", type=int, default=16)
    parser.add_argument("--codes", type=int, default=60, help="codes per cabinet and round")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds on one service; the median round is the figure, since "
                             "one round on a shared 2-core machine is noisy")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--repeat-every", type=int, default=10)
    args = parser.parse_args()

    rounds = []
    with running_service(PORT, args.workers, args.threads) as service:
        plan = prepare(service.database, args.cabinets, args.codes * args.rounds)
        for r in range(args.rounds):
            this_round = [mine[r * args.codes:(r + 1) * args.codes] for mine in plan]
            before = {name: cpu_seconds(match) for name, match in CPU_OF.items()}
            result = run_load(PORT, partial(_round_requests, this_round, args.repeat_every),
                              args.cabinets)
            spent = {name: cpu_seconds(match) - before[name] for name, match in CPU_OF.items()}
            rounds.append((result, spent))
        dispensed, doubled, problems = check(service.database)

    codes = args.cabinets * args.codes
    database = "PostgreSQL" if "postgresql" in service.database else "SQLite"
    print(f"cabinets={args.cabinets} codes={codes * args.rounds} rounds={args.rounds} "
          f"workers={args.workers} threads={args.threads} database={database}")
    print(f"dispensed: {dispensed}/{codes * args.rounds}; pickups dispensed twice: {doubled}; "
          f"ledger differences: {len(problems)}")
    for number, (result, spent) in enumerate(rounds, 1):
        print(f"round {number}: {codes / result.seconds:,.0f} redemptions/s "
              f"({result.rps:,.0f} device calls/s), p50 {result.percentile(50):.1f} ms, "
              f"p99 {result.percentile(99):.1f} ms; answers {dict(result.statuses)}; "
              "CPU per call: " + ", ".join(f"{name} {1000 * seconds / result.count:.1f} ms"
                                           for name, seconds in spent.items()))
    median = sorted(rounds, key=lambda r: r[0].percentile(99))[len(rounds) // 2][0]
    print(f"median round: {codes / median.seconds:,.0f} redemptions/s, "
          f"p99 {median.percentile(99):.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
