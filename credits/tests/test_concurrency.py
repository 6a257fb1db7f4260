"""Real threads against PostgreSQL: row locks, not mocks, keep the ledger exact."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from credits import guards, ledger
from credits.exceptions import InsufficientCredits
from credits.models import Hold, LedgerEntry

from .factories import assert_consistent, funded_account

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded_defaults")]

WORKERS = 16  # PostgreSQL's default max_connections is 100; each thread holds one


def run_concurrently(fn, count):
    def call(i):
        try:
            return fn(i)
        except Exception as exc:  # collected, not swallowed: the tests assert on them
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(call, range(count)))


def test_200_concurrent_holds_of_5_against_100_available_exactly_20_succeed(user):
    account = funded_account(user, amount=100)

    results = run_concurrently(
        lambda i: ledger.credits_hold(account=account, amount=5, reference=f"job:{i}", idempotency_key=f"h{i}"), 200
    )

    holds = [r for r in results if isinstance(r, Hold)]
    refused = [r for r in results if isinstance(r, InsufficientCredits)]
    assert len(holds) == 20 and len(refused) == 180
    account.refresh_from_db()
    assert (account.balance, account.held, account.available) == (100, 100, 0)
    assert_consistent(account)


def test_50_concurrent_calls_with_one_key_make_one_hold(user):
    account = funded_account(user, amount=100)

    results = run_concurrently(
        lambda i: ledger.credits_hold(account=account, amount=5, reference="job:1", idempotency_key="one-key"), 50
    )

    assert all(isinstance(r, Hold) for r in results), [r for r in results if not isinstance(r, Hold)][:3]
    assert len({r.pk for r in results}) == 1
    assert Hold.objects.count() == 1
    account.refresh_from_db()
    assert account.held == 5
    assert_consistent(account)


def test_refund_of_one_reference_from_two_threads_is_one_refund(user):
    account = funded_account(user, amount=100)
    hold = ledger.credits_hold(account=account, amount=10, reference="job:7", idempotency_key="k")
    ledger.credits_capture(hold=hold, amount=10)

    results = run_concurrently(lambda i: ledger.credits_refund(account=account, reference="job:7"), 2)

    assert not [r for r in results if isinstance(r, Exception)]
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    account.refresh_from_db()
    assert account.balance == 100
    assert_consistent(account)


def test_concurrent_capture_and_release_of_one_hold_settle_it_once(user):
    account = funded_account(user, amount=100)
    hold = ledger.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k")

    def settle(i):
        mine = Hold.objects.get(pk=hold.pk)  # each thread its own copy, as each worker loads its own
        settled = ledger.credits_capture(hold=mine, amount=6) if i % 2 else ledger.credits_release(hold=mine)
        return i, mine, settled

    results = run_concurrently(settle, 20)

    raised = [r for r in results if isinstance(r, BaseException)]
    assert not raised, raised[:3]
    # The thread that settled gets back the copy it passed in, moved out of HELD; every other gets
    # the hold as the winner left it, loaded afresh — nothing raised, nothing booked.
    winners = [(i, settled) for i, mine, settled in results if settled is mine]
    assert len(winners) == 1, [i for i, _ in winners]
    won_by, winner = winners[0]
    status, captured = ("captured", 6) if won_by % 2 else ("released", 0)
    assert (winner.status, winner.captured_amount) == (status, captured)
    assert all(isinstance(settled, Hold) and settled.pk == hold.pk for _i, _mine, settled in results)
    assert {(settled.status, settled.captured_amount) for _i, _mine, settled in results} == {(status, captured)}
    hold.refresh_from_db()
    assert (hold.status, hold.captured_amount) == (status, captured)
    assert list(LedgerEntry.objects.filter(hold=hold).exclude(kind="hold").values_list("kind", flat=True)) == [
        "capture" if status == "captured" else "release"]
    account.refresh_from_db()
    assert (account.balance, account.held) == (100 - captured, 0)
    assert_consistent(account)


def test_concurrent_captures_split_each_charge_from_the_latest_buckets(user):
    """Each capture takes bonus first, then cycle, then purchased, from the balances as the
    captures before it left them — however the 20 threads interleave."""
    account = funded_account(user, amount=40)  # purchased
    ledger.credits_grant(account=account, amount=30, bucket="bonus", idempotency_key="bonus")
    ledger.credits_grant(account=account, amount=30, bucket="cycle", idempotency_key="cycle")
    holds = [ledger.credits_hold(account=account, amount=5, reference=f"job:{i}", idempotency_key=f"h{i}")
             for i in range(20)]

    results = run_concurrently(lambda i: ledger.credits_capture(hold=holds[i], amount=4), 20)

    assert not [r for r in results if isinstance(r, Exception)], results
    account.refresh_from_db()
    assert (account.balance, account.held, account.bonus_balance, account.cycle_balance) == (20, 0, 0, 0)
    captures = LedgerEntry.objects.filter(account=account, kind="capture")
    assert sorted((-e.bonus_delta, -e.cycle_delta) for e in captures).count((4, 0)) == 7  # 28 of the 30 bonus
    assert_consistent(account)


def test_concurrent_trial_generations_cannot_pass_the_cap(user):
    from credits.exceptions import TrialLimit

    account = ledger.credit_account_open(user=user)  # Trial: 2 generations, 20 credits

    def trial_generation(i):
        # As a generation request does it: the account locked, the trial checked under the lock, the hold.
        with transaction.atomic():
            locked = ledger.account_lock(account=account)
            guards.trial_check(account=locked)
            return ledger.credits_hold(account=locked, amount=3, reference=f"job:{i}", idempotency_key=f"t{i}")

    results = run_concurrently(trial_generation, 10)

    assert len([r for r in results if isinstance(r, Hold)]) == 2
    assert len([r for r in results if isinstance(r, TrialLimit)]) == 8
    assert_consistent(account)


def test_concurrent_project_creation_respects_the_plan_limit(user):
    from studio import services as studio_services
    from studio.models import Project

    ledger.credit_account_open(user=user)  # Trial: one project

    results = run_concurrently(lambda i: studio_services.project_create(owner=user, title=f"Bible {i}"), 6)

    assert Project.objects.filter(owner=user).count() == 1
    assert len([r for r in results if isinstance(r, Project)]) == 1
