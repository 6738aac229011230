"""Birth-registration submissions per second through the API under gunicorn, with 16
concurrent clients, and p99 latency. Target (issue 4): p99 under 200 ms, no errors.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/registration.py [--submissions 800] [--clients 16] [--rounds 3]

It creates (and drops) its own PostgreSQL database beside the one DATABASE_URL names, runs
the WeChat simulator in-process for the residents' logins, and prepares every resident
(login, consent) before the measured part.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import Request, run_load  # noqa: E402
from bench.service import running_service  # noqa: E402
from wxapp.security.identity import id_check_char  # noqa: E402

PORT = 18095


def id_number(birth: date, sequence: str) -> str:
    first17 = f"320102{birth:%Y%m%d}{sequence}"
    return first17 + id_check_char(first17)


def _every_nth(requests: list, clients: int, client: int):
    return iter(requests[client::clients])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=800)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds on one service, each with new residents; the median "
                             "round is the figure")
    args = parser.parse_args()

    with running_service(PORT, args.workers, args.threads) as service:
        base, db_url = service.base_url, service.database
        village_id = requests.get(f"{base}/api/v1/regions", timeout=10).json()[0][
            "villages"][0]["id"]
        prepared = []
        for number in range(args.submissions * args.rounds):
            headers = {"Authorization": f"Bearer {service.resident_token(f'bench-{number}')}",
                       "Content-Type": "application/json"}
            requests.post(f"{base}/api/v1/me/consents", headers=headers, timeout=10,
                          json={"text_version": "2026-11"}).raise_for_status()
            birth = date(1990, 1, 1) + timedelta(days=number)
            form = {
                "filer_role": "mother",
                "mother": {"name": "测试女方", "id_number": id_number(birth, "124"),
                           "phone": "13800000000", "hukou_region": "320102"},
                "father": {"name": "测试男方", "id_number": id_number(birth, "123"),
                           "hukou_region": "320102"},
                "pregnancy_status": "pregnant",
                "expected_or_birth_date": (date.today() + timedelta(days=100)).isoformat(),
                "existing_children": [], "village_id": village_id,
                "promised_documents": ["mother_id_card", "father_id_card", "hukou_page"],
            }
            prepared.append(Request("POST", "/api/v1/me/registrations",
                                    json.dumps(form).encode(),
                                    {**headers, "Idempotency-Key": f"bench-{number:08d}"}))
        results = []
        for r in range(args.rounds):
            this_round = prepared[r * args.submissions:(r + 1) * args.submissions]
            results.append(run_load(PORT, partial(_every_nth, this_round, args.clients),
                                    args.clients))

    kind = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
    print(f"database={kind} workers={args.workers} threads={args.threads} clients={args.clients}")
    for number, result in enumerate(results, 1):
        print(f"round {number}: {result.summary()}")
    errors = sum(v for result in results for k, v in result.statuses.items() if k != 201)
    median = sorted(results, key=lambda r: r.percentile(99))[len(results) // 2]
    print(f"median round: {median.rps:,.0f} submissions/s, p99 {median.percentile(99):.1f} ms "
          f"(target < 200 ms); errors in all rounds: {errors}")


if __name__ == "__main__":
    main()
