from credits import ledger
from credits.models import CreditAccount, Plan


def plan(code: str) -> Plan:
    # Transactional tests flush the tables the data migration filled: seed them back if needed.
    if not Plan.objects.filter(code=code).exists():
        from credits.models import CreditCost, CreditPackage
        from credits.seed import seed

        seed(Plan, CreditPackage, CreditCost)
    return Plan.objects.get(code=code)


def funded_account(user, *, amount: int = 100, plan_code: str = "basic", bucket: str = "purchased") -> CreditAccount:
    """An account on `plan_code` holding exactly `amount` credits in one bucket."""
    account = CreditAccount.objects.create(user=user, plan=plan(plan_code))
    if amount:
        ledger.credits_grant(account=account, amount=amount, bucket=bucket, idempotency_key=f"fund:{account.pk}")
    account.refresh_from_db()
    return account


def assert_consistent(account: CreditAccount) -> None:
    """The ledger's invariants for one account."""
    from django.db.models import Sum

    from credits.models import Hold

    account.refresh_from_db()
    sums = account.entries.aggregate(
        amount=Sum("amount"), held=Sum("held_delta"), bonus=Sum("bonus_delta"), cycle=Sum("cycle_delta")
    )
    assert account.balance == (sums["amount"] or 0)
    assert account.held == (sums["held"] or 0)
    assert account.bonus_balance == (sums["bonus"] or 0)
    assert account.cycle_balance == (sums["cycle"] or 0)
    assert account.balance >= 0 and account.held >= 0 and account.available >= 0
    assert account.bonus_balance + account.cycle_balance <= account.balance
    open_holds = Hold.objects.filter(account=account, status=Hold.Status.HELD).aggregate(s=Sum("amount"))["s"] or 0
    assert account.held == open_holds
    last = account.entries.order_by("-id").first()
    if last:
        assert (last.balance_after, last.held_after) == (account.balance, account.held)
