"""The trial is stated honestly wherever it is sold — "14 days or 2 AI generations, whichever
comes first", from the trial plan's data — and once it is used up the creator is taken to the
upgrade page, which says why and offers the plans and whom to ask."""

import pytest
from django.urls import reverse
from django.utils import timezone

from credits import guards, ledger
from credits.exceptions import TrialLimit
from credits.models import CreditAccount, Plan

TERMS = "14 days or 2 AI generations, whichever comes first"


@pytest.fixture
def signed_in(client, user):
    ledger.credit_account_open(user=user)  # opened at signup: the trial
    client.force_login(user)
    return client


def use_up(user, **changes):
    CreditAccount.objects.filter(user=user).update(**changes)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["pricing", "home", "auth"])
def test_public_pages_state_the_trial_from_its_plan(client, url):
    assert TERMS in client.get(reverse(url) + ("?tab=register" if url == "auth" else "")).content.decode()

    Plan.objects.filter(code="trial").update(trial_days=7, trial_generation_cap=3)

    assert "7 days or 3 AI generations, whichever comes first" in client.get(reverse(url)).content.decode()


@pytest.mark.django_db
def test_the_dashboard_banner_states_what_is_left_and_the_terms(signed_in):
    html = signed_in.get(reverse("dashboard")).content.decode()

    assert 'id="trial-banner"' in html and TERMS in html and "2 generations left" in html


@pytest.mark.django_db
def test_the_banner_of_a_used_up_trial_leads_to_the_upgrade_page(signed_in, user):
    use_up(user, trial_generations_used=2)

    html = signed_in.get(reverse("dashboard")).content.decode()

    assert "You have used your 2 trial generations." in html
    assert 'href="/settings/subscription/?locked=1&amp;reason=trial_generations"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "reason", "title"), [
    ({"trial_generations_used": 2}, "trial_generations", "You have used your 2 trial generations"),
    ({"trial_ends_at": timezone.now()}, "trial_days", "Your 14-day free trial has ended"),
])
def test_the_upgrade_page_says_why_and_offers_plans_and_the_contact(signed_in, user, changes, reason, title):
    use_up(user, **changes)

    response = signed_in.get(reverse("credits:subscription"), {"locked": 1, "reason": reason})

    html = response.content.decode()
    assert response.context["lock_reason"] == reason
    assert title in html and TERMS in html
    assert 'id="plans"' in html and 'data-plan="basic"' in html
    assert 'id="talk-whatsapp"' in html and "https://wa.me/6281319504441?text=" in html and "Galih Praz" in html


@pytest.mark.django_db
def test_the_upgrade_page_is_the_usual_page_once_a_plan_is_bought(signed_in, user):
    account = CreditAccount.objects.get(user=user)
    ledger.account_plan_change(account=account, plan=Plan.objects.get(code="basic"), key="bought")

    response = signed_in.get(reverse("credits:subscription"), {"locked": 1, "reason": "trial_generations"})

    assert response.context["lock_reason"] == "" and 'id="locked"' not in response.content.decode()


@pytest.mark.django_db
def test_old_trial_ended_links_go_to_the_upgrade_page(signed_in, user):
    assert signed_in.get(reverse("credits:trial_ended")).url == reverse("dashboard")

    use_up(user, trial_ends_at=timezone.now())

    assert signed_in.get(reverse("credits:trial_ended")).url == "/settings/subscription/?locked=1&reason=trial_days"


@pytest.mark.django_db
def test_the_guard_names_what_ended_the_trial(user):
    account = ledger.credit_account_open(user=user)
    use_up(user, trial_generations_used=2)
    account.refresh_from_db()

    with pytest.raises(TrialLimit) as refused:
        guards.trial_check(account=account)

    assert refused.value.extra == {"reason": "trial_generations",
                                   "upgrade_url": "/settings/subscription/?locked=1&reason=trial_generations"}
