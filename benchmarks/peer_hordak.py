"""django-hordak's side of figure 1 (ledger vs a peer). Runs in its own virtualenv
(var/bench/hordak-venv: django-hordak 2.0.0 on Django 5.2, see benchmarks/_peers.py), in its own
process with minimal settings and a scratch PostgreSQL database of its own, never in the app's.

    var/bench/hordak-venv/bin/python benchmarks/peer_hordak.py --database NAME --workers 8

It creates and migrates the database, opens one customer account per worker (funded from an
equity account), a shared holding account and a shared revenue account, prints `ready`, then
answers lines on stdin: `round <ops>` runs <ops> hold+capture pairs over the workers and prints
`{"rate": pairs per second}`; `quit` (or end of input) drops the database.

The shape, as close to ours as hordak's API goes: a hold of 5 is `holding.transfer_to(customer, 5)`
(one database transaction, two legs; on hordak's
right-hand-side accounts the one whose `transfer_to` is called is the one that grows); capturing 4 of it is one more transaction through the
holding account with three legs — holding debited 5, revenue credited 4, the customer credited
back 1 — as `credits_capture(amount=4)` releases the rest. Hordak keeps no stored balance, takes
no lock and checks no funds or idempotency key; its commit-time triggers check that each
transaction's legs balance."""

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg


def configure(database: str, host: str, port: int, user: str) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": database, "HOST": host,
                               "PORT": port, "USER": user}},
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "mptt", "djmoney", "hordak"],
        USE_TZ=True, DEFAULT_AUTO_FIELD="django.db.models.BigAutoField", SECRET_KEY="bench-only",
        DEFAULT_CURRENCY="EUR", CURRENCIES=["EUR"], LOGGING_CONFIG=None)
    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    admin = dict(host=args.host, port=args.port, user=args.user, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    try:
        configure(args.database, args.host, args.port, args.user)
        serve(args.workers)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


def serve(workers: int) -> None:
    import hordak
    from django.core.management import call_command
    from django.db import connection, transaction
    from djmoney.money import Money
    from hordak.models import Account, Leg, Transaction

    call_command("migrate", verbosity=0)
    equity = Account.objects.create(name="Equity", type=Account.TYPES.equity, currencies=["EUR"])
    holding = Account.objects.create(name="Holds", type=Account.TYPES.liability, currencies=["EUR"])
    revenue = Account.objects.create(name="Revenue", type=Account.TYPES.income, currencies=["EUR"])
    customers = []
    for w in range(workers):
        customer = Account.objects.create(name=f"Creator {w}", type=Account.TYPES.liability, currencies=["EUR"])
        customer.transfer_to(equity, Money(10_000_000, "EUR"))  # customer +, equity −
        customers.append(customer)
    connection.close()
    hold, captured, released = Money(5, "EUR"), Money(4, "EUR"), Money(1, "EUR")

    def pairs(w: int, n: int) -> None:
        customer = customers[w]
        try:
            for _ in range(n):
                holding.transfer_to(customer, hold)  # the hold (holding +5, customer −5): one transaction, two legs
                with transaction.atomic():  # the capture of 4, releasing 1: one transaction, three legs
                    moved = Transaction.objects.create(description="capture")
                    Leg.objects.create(transaction=moved, account=holding, debit=hold)
                    Leg.objects.create(transaction=moved, account=revenue, credit=captured)
                    Leg.objects.create(transaction=moved, account=customer, credit=released)
        finally:
            connection.close()

    print(json.dumps({"ready": True, "hordak": hordak.__version__ if hasattr(hordak, "__version__") else "2.0.0",
                      "django": __import__("django").get_version()}), flush=True)
    lock = threading.Lock()
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        per_worker = max(1, int(words[1]) // workers)
        with lock:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(pairs, range(workers), [per_worker] * workers))
            elapsed = time.perf_counter() - started
        balance = str(customers[0].get_balance())
        print(json.dumps({"rate": per_worker * workers / elapsed, "customer_0_balance": balance}), flush=True)


if __name__ == "__main__":
    main()
