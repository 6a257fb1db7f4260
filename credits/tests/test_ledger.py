import pytest
from django.db import transaction

from credits import ledger
from credits.exceptions import InsufficientCredits, InvalidInput
from credits.models import Hold, LedgerEntry
from modo.errors import AppError

from .factories import assert_consistent, funded_account


class TooManyJobs(AppError):
    """A caller's own refusal, raised under the account's lock before it holds anything."""

    code, status = "TOO_MANY_JOBS", 429


@pytest.fixture
def account(user):
    return funded_account(user, amount=100)


@pytest.mark.django_db
def test_hold_reserves_available_credits(account):
    hold = ledger.credits_hold(account=account, amount=30, reference="job:1", idempotency_key="k1")

    account.refresh_from_db()
    assert (account.balance, account.held, account.available) == (100, 30, 70)
    assert hold.status == Hold.Status.HELD
    assert_consistent(account)


@pytest.mark.django_db
def test_hold_beyond_available_is_refused_and_reserves_nothing(account):
    ledger.credits_hold(account=account, amount=80, reference="job:1", idempotency_key="k1")

    with pytest.raises(InsufficientCredits) as exc:
        ledger.credits_hold(account=account, amount=30, reference="job:2", idempotency_key="k2")

    assert exc.value.extra == {"required": 30, "available": 20}
    account.refresh_from_db()
    assert account.held == 80
    assert not Hold.objects.filter(idempotency_key="k2").exists()
    assert_consistent(account)


@pytest.mark.django_db
def test_same_idempotency_key_returns_the_first_hold(account):
    first = ledger.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="same")
    second = ledger.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="same")

    assert first.pk == second.pk
    account.refresh_from_db()
    assert account.held == 10


@pytest.mark.django_db
def test_a_callers_check_under_the_lock_that_refuses_holds_nothing(account):
    with pytest.raises(TooManyJobs), transaction.atomic():
        locked = ledger.account_lock(account=account)
        assert (locked.pk, locked.available) == (account.pk, 100)
        raise TooManyJobs()

    assert not Hold.objects.exists()
    assert_consistent(account)


@pytest.mark.django_db
def test_a_callers_row_written_with_the_hold_points_at_it_in_one_transaction(account):
    # What a job request does: lock, hold, then its own row (here a ledger-free stand-in: an
    # entry's reference) — all kept, or all rolled back with the caller's next failure.
    with transaction.atomic():
        locked = ledger.account_lock(account=account)
        hold = ledger.credits_hold(account=locked, amount=10, reference="job:1", idempotency_key="k1")
        assert hold.account_id == account.pk and hold.pk is not None

    assert Hold.objects.get().pk == hold.pk
    assert_consistent(account)


@pytest.mark.django_db
def test_a_refusal_inside_a_callers_transaction_leaves_it_usable(account):
    with transaction.atomic():
        with pytest.raises(InsufficientCredits):
            ledger.credits_hold(account=account, amount=500, reference="job:1", idempotency_key="k1")
        # Not a broken transaction: the caller can go on, and what it writes is kept.
        hold = ledger.credits_hold(account=account, amount=10, reference="job:2", idempotency_key="k2")

    assert Hold.objects.get().pk == hold.pk
    assert_consistent(account)


@pytest.mark.django_db
def test_a_hold_joins_the_callers_transaction_and_goes_with_its_rollback(account):
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k1")
        raise RuntimeError("the caller's next write failed")

    assert not Hold.objects.exists()
    account.refresh_from_db()
    assert account.held == 0
    assert_consistent(account)


@pytest.mark.django_db
def test_the_lock_by_user_takes_that_users_account(account, user):
    with transaction.atomic():
        locked = ledger.account_lock(user=user)
        hold = ledger.credits_hold(account=locked, amount=10, reference="job:1", idempotency_key="k1")

    assert locked.pk == hold.account_id == account.pk
    account.refresh_from_db()
    assert account.held == 10


@pytest.mark.django_db
def test_the_lock_by_user_opens_the_account_of_a_user_who_has_none(outsider, seeded_defaults):
    from credits.models import CreditAccount

    assert not CreditAccount.objects.filter(user=outsider).exists()
    with transaction.atomic():
        locked = ledger.account_lock(user=outsider)
        hold = ledger.credits_hold(account=locked, amount=1, reference="job:1", idempotency_key="k1")

    assert hold.account.user_id == outsider.pk
    assert_consistent(hold.account)


@pytest.mark.django_db
def test_the_lock_takes_the_account_row_alone(account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = ledger.account_lock(account=account)
    assert locked.plan.code == account.plan.code  # the plan is read along, for the caller's rules
    sql = next(q["sql"] for q in queries if q["sql"].startswith("SELECT"))
    if connection.features.has_select_for_update_of:
        assert sql.endswith('FOR UPDATE OF "credits_creditaccount"')


@pytest.mark.django_db
def test_a_refused_repeat_of_a_key_returns_its_hold(account):
    first = ledger.credits_hold(account=account, amount=90, reference="job:1", idempotency_key="same")

    # The balance no longer covers it: the key's hold is the answer all the same.
    again = ledger.credits_hold(account=account, amount=90, reference="job:1", idempotency_key="same")

    assert again.pk == first.pk
    account.refresh_from_db()
    assert account.held == 90


@pytest.mark.django_db
def test_capture_less_than_held_releases_the_rest(account):
    hold = ledger.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k")

    ledger.credits_capture(hold=hold, amount=7)

    account.refresh_from_db()
    assert (account.balance, account.held) == (93, 0)
    entry = LedgerEntry.objects.get(kind="capture")
    assert (entry.amount, entry.held_delta, entry.metadata["released"]) == (-7, -10, 3)
    assert_consistent(account)


@pytest.mark.django_db
def test_a_hold_is_settled_exactly_once(account):
    hold = ledger.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k")

    ledger.credits_capture(hold=hold, amount=7)
    ledger.credits_capture(hold=hold, amount=7)
    ledger.credits_release(hold=hold)

    account.refresh_from_db()
    assert account.balance == 93
    assert LedgerEntry.objects.filter(hold=hold).exclude(kind="hold").count() == 1
    assert_consistent(account)


@pytest.mark.django_db
def test_release_twice_gives_back_once(account):
    hold = ledger.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k")

    ledger.credits_release(hold=hold)
    ledger.credits_release(hold=hold)
    ledger.credits_capture(hold=hold, amount=5)

    account.refresh_from_db()
    assert (account.balance, account.held) == (100, 0)
    assert LedgerEntry.objects.filter(kind="release").count() == 1
    assert not LedgerEntry.objects.filter(kind="capture").exists()


@pytest.mark.django_db
def test_capture_more_than_held_is_refused(account):
    hold = ledger.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k")

    with pytest.raises(InvalidInput):
        ledger.credits_capture(hold=hold, amount=11)


@pytest.mark.django_db
def test_bonus_credits_are_spent_first_then_cycle_then_purchased(user):
    account = funded_account(user, amount=10, bucket="purchased")
    ledger.credits_grant(account=account, amount=4, bucket="bonus", idempotency_key="b")
    ledger.credits_grant(account=account, amount=5, bucket="cycle", idempotency_key="c")

    hold = ledger.credits_hold(account=account, amount=12, reference="job:1", idempotency_key="k")
    ledger.credits_capture(hold=hold, amount=12)

    account.refresh_from_db()
    assert (account.bonus_balance, account.cycle_balance, account.purchased_balance) == (0, 0, 7)
    assert_consistent(account)


@pytest.mark.django_db
def test_refund_is_once_per_reference_and_restores_the_buckets(user):
    account = funded_account(user, amount=10)
    ledger.credits_grant(account=account, amount=5, bucket="bonus", idempotency_key="b")
    hold = ledger.credits_hold(account=account, amount=8, reference="job:9", idempotency_key="k")
    ledger.credits_capture(hold=hold, amount=8)

    first = ledger.credits_refund(account=account, reference="job:9")
    second = ledger.credits_refund(account=account, reference="job:9")

    assert first.pk == second.pk and first.amount == 8
    account.refresh_from_db()
    assert (account.balance, account.bonus_balance) == (15, 5)
    assert ledger.credits_refund(account=account, reference="job:unknown") is None
    assert_consistent(account)


@pytest.mark.django_db
def test_admin_adjust_needs_a_reason_and_never_goes_below_zero(account, user):
    with pytest.raises(InvalidInput):
        ledger.credits_admin_adjust(account=account, delta=10, reason="  ", actor=user)
    ledger.credits_hold(account=account, amount=90, reference="job:1", idempotency_key="k")

    with pytest.raises(InsufficientCredits):
        ledger.credits_admin_adjust(account=account, delta=-11, reason="refund dispute", actor=user)
    entry = ledger.credits_admin_adjust(account=account, delta=-10, reason="refund dispute", actor=user)

    assert entry.actor == user and entry.reason == "refund dispute"
    account.refresh_from_db()
    assert (account.balance, account.available) == (90, 0)
    assert_consistent(account)


@pytest.mark.django_db
def test_grant_with_the_same_key_twice_grants_once(account):
    ledger.credits_grant(account=account, amount=50, idempotency_key="promo")
    ledger.credits_grant(account=account, amount=50, idempotency_key="promo")

    account.refresh_from_db()
    assert account.balance == 150


@pytest.mark.django_db
def test_expiry_takes_only_unreserved_cycle_credits(user):
    account = funded_account(user, amount=20, bucket="cycle")
    ledger.credits_grant(account=account, amount=5, bucket="purchased", idempotency_key="p")
    ledger.credits_hold(account=account, amount=22, reference="job:1", idempotency_key="k")

    entry = ledger.credits_expire_cycle(account=account, cycle_key="2026-11")
    again = ledger.credits_expire_cycle(account=account, cycle_key="2026-11")

    assert entry.pk == again.pk and entry.amount == -3
    account.refresh_from_db()
    assert (account.balance, account.held) == (22, 22)
    assert_consistent(account)


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [0, -5, 2.5, "10", True])
def test_amounts_must_be_positive_whole_numbers(account, bad):
    with pytest.raises(InvalidInput):
        ledger.credits_hold(account=account, amount=bad, reference="job:1", idempotency_key=f"k{bad}")
