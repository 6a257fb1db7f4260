"""Ledger throughput: holds + captures through the services vs a raw-SQL baseline.

    .venv/bin/python benchmarks/ledger.py [--ops 4000] [--workers 8]

Runs on PostgreSQL (TEST_DATABASE_URL / DATABASE_URL, default postgres://postgres@127.0.0.1/postgres)
in a scratch database `modo_bench` that it creates, migrates and drops. Both runs do the same
logical work per operation — lock/conditionally update one account row and append ledger rows
for a hold and its capture — with N threads over their own accounts. The baseline is the least
SQL that could do it (two conditional UPDATEs + two INSERTs, in two transactions); the services
add idempotency checks, hold rows and bucket accounting. Prints ops/s for both and the ratio."""

import argparse
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from _scratch import scratch_database

ROUNDS = 5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=4000, help="hold+capture pairs per side, over 5 rounds")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    with scratch_database("modo_bench_ledger"):
        services_rate, raw_rate = run(args.ops, args.workers)
    print(f"ledger  services: {services_rate:8.0f} hold+capture/s   raw SQL: {raw_rate:8.0f}/s   "
          f"ratio: {services_rate / raw_rate:.0%}  ({args.ops} ops, {args.workers} workers)")


def run(ops: int, workers: int, peers: dict | None = None):
    """(services rate, raw rate[, {peer: rate}]): hold+capture pairs per second, each side's median
    round. `peers` maps a name to a callable(ops of one round) → its rate in that round (figure 1's
    django-hordak); they take their turn in the same alternation."""
    from django.db import connection

    from accounts.models import User
    from credits import ledger
    from credits.models import CreditAccount, Plan

    plan = Plan.objects.get(code="basic")
    accounts = []
    for i in range(workers):
        user = User.objects.create_user(f"bench{i}-{uuid.uuid4().hex[:6]}@example.com", "x")
        account = CreditAccount.objects.create(user=user, plan=plan)
        ledger.credits_grant(account=account, amount=10 * ops, idempotency_key=f"bench-fund-{account.pk}")
        accounts.append(account)
    per_worker = max(1, ops // workers // ROUNDS)

    def with_services(w):
        account = accounts[w]
        try:
            for i in range(per_worker):
                hold = ledger.credits_hold(account=account, amount=5, reference=f"bench:{w}:{i}",
                                             idempotency_key=f"bench:{w}:{i}:{uuid.uuid4().hex}")
                ledger.credits_capture(hold=hold, amount=4)
        finally:
            connection.close()

    def with_raw_sql(w):
        account = accounts[w]
        from django.db import transaction

        try:
            for _ in range(per_worker):
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute("UPDATE credits_creditaccount SET held = held + 5 WHERE id = %s AND balance - held >= 5 "
                                "RETURNING balance, held", [account.pk])
                    balance, held = cur.fetchone()
                    cur.execute(BASELINE_INSERT, [uuid.uuid4(), account.pk, "hold", 0, 5, balance, held, f"raw:{uuid.uuid4()}"])
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute("UPDATE credits_creditaccount SET held = held - 5, balance = balance - 4 WHERE id = %s "
                                "RETURNING balance, held", [account.pk])
                    balance, held = cur.fetchone()
                    cur.execute(BASELINE_INSERT, [uuid.uuid4(), account.pk, "capture", -4, -5, balance, held, f"raw:{uuid.uuid4()}"])
        finally:
            connection.close()

    # Alternating rounds (services, raw, services, raw, ...), each a fifth of the operations, so a
    # slow moment of the machine falls on both sides alike; each side's rate is its median round.
    rates = {with_services: [], with_raw_sql: []}
    peer_rates = {name: [] for name in peers or {}}
    for _round in range(ROUNDS):
        for fn in rates:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(fn, range(workers)))
            rates[fn].append(per_worker * workers / (time.perf_counter() - started))
        for name, peer in (peers or {}).items():
            peer_rates[name].append(peer(per_worker * workers))
    ours = statistics.median(rates[with_services]), statistics.median(rates[with_raw_sql])
    if peers is None:
        return ours
    return (*ours, {name: statistics.median(r) for name, r in peer_rates.items()})


BASELINE_INSERT = (
    "INSERT INTO credits_ledgerentry (public_id, account_id, kind, amount, held_delta, bonus_delta, cycle_delta, "
    "balance_after, bonus_after, cycle_after, held_after, reference_id, reference, idempotency_key, reason, metadata, created_at) "
    "VALUES (%s, %s, %s, %s, %s, 0, 0, %s, 0, 0, %s, '', '', %s, '', '{}', now())"
)


if __name__ == "__main__":
    main()
