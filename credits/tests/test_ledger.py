import pytest
from django.db import transaction

from credits import services
from credits.exceptions import InsufficientCredits, InvalidInput
from credits.models import Hold, LedgerEntry
from modo.errors import AppError

from .factories import assert_consistent, funded_account


class TooManyJobs(AppError):
    """A caller's own refusal, as a check passed to credits_hold raises it."""

    code, status = "TOO_MANY_JOBS", 429


@pytest.fixture
def account(user):
    return funded_account(user, amount=100)


@pytest.mark.django_db
def test_hold_reserves_available_credits(account):
    hold = services.credits_hold(account=account, amount=30, reference="job:1", idempotency_key="k1")

    account.refresh_from_db()
    assert (account.balance, account.held, account.available) == (100, 30, 70)
    assert hold.status == Hold.Status.HELD
    assert_consistent(account)


@pytest.mark.django_db
def test_hold_beyond_available_is_refused_and_reserves_nothing(account):
    services.credits_hold(account=account, amount=80, reference="job:1", idempotency_key="k1")

    with pytest.raises(InsufficientCredits) as exc:
        services.credits_hold(account=account, amount=30, reference="job:2", idempotency_key="k2")

    assert exc.value.extra == {"required": 30, "available": 20}
    account.refresh_from_db()
    assert account.held == 80
    assert not Hold.objects.filter(idempotency_key="k2").exists()
    assert_consistent(account)


@pytest.mark.django_db
def test_same_idempotency_key_returns_the_first_hold(account):
    first = services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="same")
    second = services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="same")

    assert first.pk == second.pk
    account.refresh_from_db()
    assert account.held == 10


@pytest.mark.django_db
def test_a_check_runs_under_the_lock_and_its_refusal_holds_nothing(account):
    seen = []

    def check(locked):
        seen.append((locked.pk, locked.available))
        raise TooManyJobs()

    with pytest.raises(TooManyJobs):
        services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k1", check=check)

    assert seen == [(account.pk, 100)]
    assert not Hold.objects.exists()
    assert_consistent(account)


def _job_of(user):
    from studio.models import Generation
    from studio.tests.factories import make_project

    project = make_project(user, characters=0, locations=0, scenes=0)
    return Generation(owner=user, project=project, kind=Generation.Kind.CHARACTER_IMAGE, target_kind="character",
                      target_id=project.public_id, params={"width": 512}, credits_quoted=10)


@pytest.mark.django_db
def test_the_object_held_by_the_hold_is_written_with_it(account, user):
    from studio.models import Generation

    job = _job_of(user)
    hold = services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k1", held_by=job)

    assert job.pk is not None and not job._state.adding and job.hold is hold
    saved = Generation.objects.get(pk=job.pk)
    assert (saved.hold_id, saved.params, saved.status, saved.credits_quoted) == (hold.pk, {"width": 512}, "queued", 10)
    assert saved.created_at == job.created_at is not None  # auto dates applied as a save applies them
    assert_consistent(account)


@pytest.mark.django_db
def test_the_object_held_is_not_written_without_a_new_hold(account, user):
    from studio.models import Generation

    first = services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k1")
    repeated, refused = _job_of(user), _job_of(user)
    assert services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k1",
                                 held_by=repeated).pk == first.pk
    with pytest.raises(InsufficientCredits):
        services.credits_hold(account=account, amount=500, reference="job:2", idempotency_key="k2", held_by=refused)

    assert repeated.pk is None and refused.pk is None
    assert not Generation.objects.exists()
    assert_consistent(account)


@pytest.mark.django_db
def test_a_refusal_inside_a_callers_transaction_leaves_it_usable(account):
    with transaction.atomic():
        with pytest.raises(InsufficientCredits):
            services.credits_hold(account=account, amount=500, reference="job:1", idempotency_key="k1")
        # Not a broken transaction: the caller can go on, and what it writes is kept.
        hold = services.credits_hold(account=account, amount=10, reference="job:2", idempotency_key="k2")

    assert Hold.objects.get().pk == hold.pk
    assert_consistent(account)


@pytest.mark.django_db
def test_a_hold_joins_the_callers_transaction_and_goes_with_its_rollback(account):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k1")
        raise RuntimeError("the caller's next write failed")

    assert not Hold.objects.exists()
    account.refresh_from_db()
    assert account.held == 0
    assert_consistent(account)


@pytest.mark.django_db
def test_a_hold_by_user_locks_that_users_account(account, user):
    hold = services.credits_hold(user=user, amount=10, reference="job:1", idempotency_key="k1")

    assert hold.account_id == account.pk
    account.refresh_from_db()
    assert account.held == 10


@pytest.mark.django_db
def test_a_hold_by_user_opens_the_account_of_a_user_who_has_none(outsider, seeded_defaults):
    from credits.models import CreditAccount

    assert not CreditAccount.objects.filter(user=outsider).exists()
    hold = services.credits_hold(user=outsider, amount=1, reference="job:1", idempotency_key="k1")

    assert hold.account.user_id == outsider.pk
    assert_consistent(hold.account)


@pytest.mark.django_db
def test_a_refused_repeat_of_a_key_returns_its_hold(account):
    first = services.credits_hold(account=account, amount=90, reference="job:1", idempotency_key="same")

    def refuse(_locked):
        raise TooManyJobs()

    # The balance no longer covers it and the check refuses: the key's hold is the answer all the same.
    again = services.credits_hold(account=account, amount=90, reference="job:1", idempotency_key="same", check=refuse)

    assert again.pk == first.pk


@pytest.mark.django_db
def test_capture_less_than_held_releases_the_rest(account):
    hold = services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k")

    services.credits_capture(hold=hold, amount=7)

    account.refresh_from_db()
    assert (account.balance, account.held) == (93, 0)
    entry = LedgerEntry.objects.get(kind="capture")
    assert (entry.amount, entry.held_delta, entry.metadata["released"]) == (-7, -10, 3)
    assert_consistent(account)


@pytest.mark.django_db
def test_a_hold_is_settled_exactly_once(account):
    hold = services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k")

    services.credits_capture(hold=hold, amount=7)
    services.credits_capture(hold=hold, amount=7)
    services.credits_release(hold=hold)

    account.refresh_from_db()
    assert account.balance == 93
    assert LedgerEntry.objects.filter(hold=hold).exclude(kind="hold").count() == 1
    assert_consistent(account)


@pytest.mark.django_db
def test_release_twice_gives_back_once(account):
    hold = services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k")

    services.credits_release(hold=hold)
    services.credits_release(hold=hold)
    services.credits_capture(hold=hold, amount=5)

    account.refresh_from_db()
    assert (account.balance, account.held) == (100, 0)
    assert LedgerEntry.objects.filter(kind="release").count() == 1
    assert not LedgerEntry.objects.filter(kind="capture").exists()


@pytest.mark.django_db
def test_capture_more_than_held_is_refused(account):
    hold = services.credits_hold(account=account, amount=10, reference="job:1", idempotency_key="k")

    with pytest.raises(InvalidInput):
        services.credits_capture(hold=hold, amount=11)


@pytest.mark.django_db
def test_bonus_credits_are_spent_first_then_cycle_then_purchased(user):
    account = funded_account(user, amount=10, bucket="purchased")
    services.credits_grant(account=account, amount=4, bucket="bonus", idempotency_key="b")
    services.credits_grant(account=account, amount=5, bucket="cycle", idempotency_key="c")

    hold = services.credits_hold(account=account, amount=12, reference="job:1", idempotency_key="k")
    services.credits_capture(hold=hold, amount=12)

    account.refresh_from_db()
    assert (account.bonus_balance, account.cycle_balance, account.purchased_balance) == (0, 0, 7)
    assert_consistent(account)


@pytest.mark.django_db
def test_refund_is_once_per_reference_and_restores_the_buckets(user):
    account = funded_account(user, amount=10)
    services.credits_grant(account=account, amount=5, bucket="bonus", idempotency_key="b")
    hold = services.credits_hold(account=account, amount=8, reference="job:9", idempotency_key="k")
    services.credits_capture(hold=hold, amount=8)

    first = services.credits_refund(account=account, reference="job:9")
    second = services.credits_refund(account=account, reference="job:9")

    assert first.pk == second.pk and first.amount == 8
    account.refresh_from_db()
    assert (account.balance, account.bonus_balance) == (15, 5)
    assert services.credits_refund(account=account, reference="job:unknown") is None
    assert_consistent(account)


@pytest.mark.django_db
def test_admin_adjust_needs_a_reason_and_never_goes_below_zero(account, user):
    with pytest.raises(InvalidInput):
        services.credits_admin_adjust(account=account, delta=10, reason="  ", actor=user)
    services.credits_hold(account=account, amount=90, reference="job:1", idempotency_key="k")

    with pytest.raises(InsufficientCredits):
        services.credits_admin_adjust(account=account, delta=-11, reason="refund dispute", actor=user)
    entry = services.credits_admin_adjust(account=account, delta=-10, reason="refund dispute", actor=user)

    assert entry.actor == user and entry.reason == "refund dispute"
    account.refresh_from_db()
    assert (account.balance, account.available) == (90, 0)
    assert_consistent(account)


@pytest.mark.django_db
def test_grant_with_the_same_key_twice_grants_once(account):
    services.credits_grant(account=account, amount=50, idempotency_key="promo")
    services.credits_grant(account=account, amount=50, idempotency_key="promo")

    account.refresh_from_db()
    assert account.balance == 150


@pytest.mark.django_db
def test_expiry_takes_only_unreserved_cycle_credits(user):
    account = funded_account(user, amount=20, bucket="cycle")
    services.credits_grant(account=account, amount=5, bucket="purchased", idempotency_key="p")
    services.credits_hold(account=account, amount=22, reference="job:1", idempotency_key="k")

    entry = services.credits_expire_cycle(account=account, cycle_key="2026-11")
    again = services.credits_expire_cycle(account=account, cycle_key="2026-11")

    assert entry.pk == again.pk and entry.amount == -3
    account.refresh_from_db()
    assert (account.balance, account.held) == (22, 22)
    assert_consistent(account)


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [0, -5, 2.5, "10", True])
def test_amounts_must_be_positive_whole_numbers(account, bad):
    with pytest.raises(InvalidInput):
        services.credits_hold(account=account, amount=bad, reference="job:1", idempotency_key=f"k{bad}")
