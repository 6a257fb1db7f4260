import pytest
from django.urls import reverse

from credits import ledger, orders
from credits.models import CreditPackage, Order, Plan


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_subscription_page_shows_trial_plans_and_packages(signed_in, user, django_assert_max_num_queries):
    ledger.credit_account_open(user=user)  # opened at signup

    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("credits:subscription"))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["trial"]["generations_left"] == 2
    assert 'data-plan="basic"' in html and 'data-package="credits-200"' in html
    assert 'data-plan="pro"' not in html  # contact-only plans cannot be bought


@pytest.mark.django_db
def test_buying_a_package_from_the_page_creates_a_manual_order(signed_in, user):
    response = signed_in.post(reverse("credits:order_create"), {"package": "credits-50"})

    order = Order.objects.get(user=user)
    assert response.url == reverse("credits:order", args=[order.public_id])
    page = signed_in.get(response.url).content.decode()
    assert order.number in page
    assert "https://wa.me/6281319504441?text=" in page


@pytest.mark.django_db
def test_buying_a_plan_needs_a_buyable_plan(signed_in):
    response = signed_in.post(reverse("credits:order_create"), {"plan": "pro", "billing_cycle": "monthly"}, follow=True)

    assert not Order.objects.exists()
    assert any("contact us" in str(m).lower() for m in response.context["messages"])


@pytest.mark.django_db
def test_someone_elses_order_is_404(client, user, outsider):
    order = orders.order_create(user=user, package=CreditPackage.objects.get(code="credits-50"))
    client.force_login(outsider)

    assert client.get(reverse("credits:order", args=[order.public_id])).status_code == 404
    assert client.post(reverse("credits:order_cancel", args=[order.public_id])).status_code == 404
    order.refresh_from_db()
    assert order.status == "pending"


@pytest.mark.django_db
def test_creator_can_cancel_a_pending_order(signed_in, user):
    order = orders.order_create(user=user, package=CreditPackage.objects.get(code="credits-50"))

    signed_in.post(reverse("credits:order_cancel", args=[order.public_id]))

    order.refresh_from_db()
    assert order.status == "cancelled"


@pytest.mark.django_db
def test_history_lists_filters_and_paginates(signed_in, user):
    account = ledger.credit_account_open(user=user)
    for i in range(30):
        ledger.credits_grant(account=account, amount=1, idempotency_key=f"g{i}", reason=f"gift {i}")

    first = signed_in.get(reverse("credits:history"))
    grants = signed_in.get(reverse("credits:history"), {"kind": "grant", "page": 2})

    assert first.context["page"].paginator.count == 31
    assert len(first.context["page"].object_list) == 25
    assert grants.context["page"].number == 2
    assert all(e.kind == "grant" for e in grants.context["page"].object_list)
    assert "kind=grant" in grants.context["query"]


@pytest.mark.django_db
def test_app_shell_shows_the_credit_badge_and_trial_banner(signed_in):
    html = signed_in.get(reverse("dashboard")).content.decode()

    assert 'id="credit-badge"' in html
    assert 'id="trial-banner"' in html


@pytest.mark.django_db
def test_pricing_reads_plans_and_costs_from_the_database(client):
    Plan.objects.filter(code="basic").update(price_monthly=17)

    html = client.get(reverse("pricing")).content.decode()

    assert "$17" in html
    assert 'id="credit-costs"' in html
    assert "Video up to 5 s" in html
