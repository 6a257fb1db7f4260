import pytest
from django.utils import timezone

from credits import guards, ledger, ratelimit
from credits.exceptions import InsufficientCredits, PlanRequired, RateLimited, TrialLimit
from credits.models import CreditAccount, Plan

from .factories import funded_account, plan


@pytest.fixture
def trial_account(user):
    return ledger.credit_account_open(user=user)


@pytest.mark.django_db
def test_signup_opens_a_trial_with_its_credits_and_dates(trial_account):
    assert trial_account.plan.code == "trial"
    assert trial_account.balance == 20 and trial_account.cycle_balance == 20
    days = (trial_account.trial_ends_at - timezone.now()).days
    assert 13 <= days <= 14
    assert ledger.credit_account_open(user=trial_account.user).pk == trial_account.pk


def _generate(account, cost=5):
    guards.generation_check(account=account, kind="image", cost=cost)
    hold = ledger.credits_hold(account=account, amount=cost, reference="job", idempotency_key=f"k{timezone.now().timestamp()}")
    return hold


@pytest.mark.django_db
def test_trial_third_generation_is_refused(trial_account):
    for _ in range(2):
        ledger.credits_capture(hold=_generate(trial_account), amount=5)

    trial_account.refresh_from_db()
    assert trial_account.trial_generations_used == 2
    with pytest.raises(TrialLimit):
        guards.generation_check(account=trial_account, kind="image", cost=5)


@pytest.mark.django_db
def test_trial_counter_moves_only_on_success(trial_account):
    ledger.credits_release(hold=_generate(trial_account))
    ledger.credits_release(hold=_generate(trial_account))

    trial_account.refresh_from_db()
    assert trial_account.trial_generations_used == 0
    ratelimit.reset(account_id=trial_account.pk)  # the trial's daily limit (2) is a separate rule
    guards.generation_check(account=trial_account, kind="image", cost=5)  # still allowed


@pytest.mark.django_db
def test_running_trial_generations_count_against_the_cap(trial_account):
    _generate(trial_account)
    _generate(trial_account)

    with pytest.raises(TrialLimit):
        guards.generation_check(account=trial_account, kind="image", cost=5)


@pytest.mark.django_db
def test_expired_trial_is_refused(trial_account):
    CreditAccount.objects.filter(pk=trial_account.pk).update(trial_ends_at=timezone.now() - timezone.timedelta(minutes=1))
    trial_account.refresh_from_db()

    with pytest.raises(TrialLimit):
        guards.generation_check(account=trial_account, kind="text", cost=3)


@pytest.mark.django_db
def test_plan_features_gate_video_and_premium_models(user):
    account = funded_account(user, plan_code="basic")

    with pytest.raises(PlanRequired):
        guards.generation_check(account=account, kind="video", cost=25)
    with pytest.raises(PlanRequired):
        guards.generation_check(account=account, kind="text", cost=8, premium=True)

    account.plan = plan("pro")
    guards.generation_check(account=account, kind="video", cost=25)


@pytest.mark.django_db
def test_insufficient_balance_reports_required_and_available(user):
    account = funded_account(user, amount=4)

    with pytest.raises(InsufficientCredits) as exc:
        guards.generation_check(account=account, kind="image", cost=5)

    assert exc.value.extra == {"required": 5, "available": 4}
    assert ratelimit.used(account_id=account.pk) == 0  # a refused request uses no slot


@pytest.mark.django_db
def test_project_limit(user):
    account = funded_account(user, plan_code="free")  # 3 projects

    guards.project_limit_check(account=account, project_count=2)
    with pytest.raises(PlanRequired):
        guards.project_limit_check(account=account, project_count=3)


@pytest.mark.requires_redis
@pytest.mark.django_db
def test_daily_rate_limit_per_plan_with_retry_after(user, outsider):
    Plan.objects.filter(code="basic").update(daily_generation_limit=3)
    limited = funded_account(user, plan_code="basic")
    other = funded_account(outsider, plan_code="premium")

    for _ in range(3):
        guards.generation_check(account=limited, kind="image", cost=5)
    with pytest.raises(RateLimited) as exc:
        guards.generation_check(account=limited, kind="image", cost=5)

    assert 0 < exc.value.extra["retry_after"] <= 24 * 3600
    assert exc.value.status == 429
    guards.generation_check(account=other, kind="image", cost=5)  # other plans unaffected


@pytest.mark.django_db
def test_rate_limit_works_without_redis_too(user, settings):
    settings.RATE_LIMIT_REDIS_URL = ""
    account = funded_account(user, plan_code="basic")

    assert ratelimit.consume(account_id=account.pk, limit=2) == 0
    assert ratelimit.consume(account_id=account.pk, limit=2) == 0
    assert ratelimit.consume(account_id=account.pk, limit=2) > 0
