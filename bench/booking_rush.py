"""A popular booking day: 500 concurrent clients under gunicorn race for 50 places across 5
slots. Prints bookings made, answers by kind, requests per second and p99 latency, and checks
the slots afterwards. Target (issue 5): zero oversold, zero 5xx, p99 under 300 ms.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/booking_rush.py [--clients 500] [--floor]

--floor then sends the same clients at once to GET /api/v1/me (the sign-in check and one
read): what any signed-in request costs when 500 arrive together on this machine, to set the
booking figure against.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import Request, cpu_seconds, run_load  # noqa: E402
from bench.service import running_service  # noqa: E402
from wxapp.testing.people import couple_body  # noqa: E402

PORT = 18096
SLOTS = 5
PLACES_PER_SLOT = 10
# Where the CPU goes: the gunicorn workers, PostgreSQL's backends, this load generator.
CPU_OF = {"server": f"127.0.0.1:{PORT}", "postgres": "postgres: ",
          "load generator": "bench/booking_rush.py"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--floor", action="store_true",
                        help="then send the same clients at once to GET /api/v1/me (sign-in "
                             "check and one read, no booking): the least any signed-in request "
                             "costs on this machine")
    args = parser.parse_args()

    with running_service(PORT, args.workers, args.threads) as service:
        base, db_url = service.base_url, service.database
        clinic = requests.get(f"{base}/api/v1/clinics", timeout=10).json()[0]
        # The demo books a few couples into today's slot (the clinic day): rush fresh ones.
        slots = [s for s in requests.get(f"{base}/api/v1/clinics/{clinic['id']}/slots",
                                         timeout=10).json()
                 if s["remaining"] == PLACES_PER_SLOT][:SLOTS]
        assert len(slots) == SLOTS, slots
        township = requests.get(f"{base}/api/v1/regions", timeout=10).json()[0]
        village_id, county = township["villages"][0]["id"], township["code"][:6]
        prepared = []
        for number in range(args.clients):
            token = service.resident_token(f"rush-{number}")
            # Every client is a different eligible couple (local hukou), as on a real day.
            requests.put(f"{base}/api/v1/me/screening-couple", timeout=10,
                         headers={"Authorization": f"Bearer {token}"},
                         json=couple_body(number, village_id, hukou_region=county)
                         ).raise_for_status()
            body = json.dumps({"slot_id": slots[number % SLOTS]["id"]}).encode()
            prepared.append(Request("POST", "/api/v1/me/bookings", body, {
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"}))
        before = {name: cpu_seconds(match) for name, match in CPU_OF.items()}
        result = run_load(PORT, lambda i: iter([prepared[i]]), args.clients)
        spent = {name: cpu_seconds(match) - before[name] for name, match in CPU_OF.items()}
        after = {s["id"]: s["remaining"] for s in requests.get(
            f"{base}/api/v1/clinics/{clinic['id']}/slots", timeout=10).json()}
        floor = None
        if args.floor:
            me = [Request("GET", "/api/v1/me", b"", {"Authorization": r.headers["Authorization"]})
                  for r in prepared]
            floor = run_load(PORT, lambda i: iter([me[i]]), args.clients)

    booked = result.statuses.get(201, 0)
    capacity = SLOTS * PLACES_PER_SLOT
    remaining = sum(after.get(s["id"], 0) for s in slots)
    server_errors = sum(v for k, v in result.statuses.items()
                        if (isinstance(k, int) and k >= 500) or not isinstance(k, int))
    print(f"clients={args.clients} places={capacity} workers={args.workers} "
          f"threads={args.threads} database={'PostgreSQL' if 'postgresql' in db_url else 'SQLite'}")
    print(f"bookings made: {booked}; places left: {remaining}; "
          f"oversold: {max(0, booked - capacity)}; 5xx or broken: {server_errors}")
    print(f"answers by kind: {dict(result.statuses)}")
    print(f"{result.rps:,.0f} req/s, p50 {result.percentile(50):.1f} ms, "
          f"p99 {result.percentile(99):.1f} ms (target < 300 ms)")
    print("CPU per request: " + ", ".join(
        f"{name} {1000 * seconds / result.count:.1f} ms" for name, seconds in spent.items()))
    if floor is not None:
        print(f"floor, GET /api/v1/me by the same {args.clients} at once: {floor.rps:,.0f} req/s, "
              f"p50 {floor.percentile(50):.1f} ms, p99 {floor.percentile(99):.1f} ms, "
              f"statuses {dict(floor.statuses)}")


if __name__ == "__main__":
    main()
