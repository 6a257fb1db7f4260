"""Random sequences of every ledger operation keep the books exact."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from credits import ledger
from credits.exceptions import InsufficientCredits
from credits.models import Hold

from .factories import assert_consistent, funded_account

ops = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.sampled_from(["bonus", "cycle", "purchased"]), st.integers(1, 60)),
        st.tuples(st.just("hold"), st.integers(1, 80)),
        st.tuples(st.just("capture"), st.integers(0, 20), st.floats(0, 1)),
        st.tuples(st.just("release"), st.integers(0, 20)),
        st.tuples(st.just("refund"), st.integers(0, 20)),
        st.tuples(st.just("expire"), st.integers(0, 3)),
        st.tuples(st.just("adjust"), st.integers(-50, 50).filter(bool)),
    ),
    max_size=30,
)


def _apply(account, op, step, holds, expired_keys):
    kind = op[0]
    before = type(account).objects.get(pk=account.pk)
    if kind == "grant":
        ledger.credits_grant(account=account, amount=op[2], bucket=op[1], idempotency_key=f"g{step}")
    elif kind == "hold":
        try:
            holds.append(ledger.credits_hold(account=account, amount=op[1], reference=f"job:{step}", idempotency_key=f"h{step}"))
        except InsufficientCredits:
            assert before.available < op[1]
    elif kind == "capture" and holds:
        hold = Hold.objects.get(pk=holds[op[1] % len(holds)].pk)
        amount = int(hold.amount * op[2])
        was_held = hold.status == Hold.Status.HELD
        ledger.credits_capture(hold=hold, amount=amount)
        after = type(account).objects.get(pk=account.pk)
        if was_held:
            # Bonus first, then this cycle's credits, then purchased.
            from_bonus = min(amount, before.bonus_balance)
            from_cycle = min(amount - from_bonus, before.cycle_balance)
            assert before.bonus_balance - after.bonus_balance == from_bonus
            assert before.cycle_balance - after.cycle_balance == from_cycle
        else:
            assert (after.balance, after.held) == (before.balance, before.held)
    elif kind == "release" and holds:
        ledger.credits_release(hold=Hold.objects.get(pk=holds[op[1] % len(holds)].pk))
    elif kind == "refund" and holds:
        ledger.credits_refund(account=account, reference=holds[op[1] % len(holds)].reference)
    elif kind == "expire":
        key = f"c{op[1]}"
        ledger.credits_expire_cycle(account=account, cycle_key=key)
        after = type(account).objects.get(pk=account.pk)
        # Exactly the unreserved cycle credits expire, and only the first time per cycle.
        expected = 0 if key in expired_keys else min(before.cycle_balance, before.available)
        if expected:
            expired_keys.add(key)
        assert before.balance - after.balance == expected
        assert before.cycle_balance - after.cycle_balance == expected
    elif kind == "adjust":
        try:
            ledger.credits_admin_adjust(account=account, delta=op[1], reason="property test", actor=None, idempotency_key=f"a{step}")
        except InsufficientCredits:
            assert -op[1] > before.available


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=ops)
def test_random_operations_keep_the_ledger_exact(sequence):
    with transaction.atomic():
        account = funded_account(UserFactory(), amount=50)
        holds, expired_keys = [], set()
        for step, op in enumerate(sequence):
            _apply(account, op, step, holds, expired_keys)
            assert_consistent(account)
        transaction.set_rollback(True)
