import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from credits import ledger, orders
from credits.models import CreditPackage, LedgerEntry


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_admin_grants_and_deducts_through_the_ledger_with_a_reason(admin_client, user):
    account = ledger.credit_account_open(user=user)
    url = reverse("admin:credits_creditaccount_adjust", args=[account.pk])
    key = admin_client.get(url).context["form"].initial["idempotency_key"]

    admin_client.post(url, {"direction": "grant", "amount": 30, "reason": "Festival prize", "idempotency_key": key})
    admin_client.post(url, {"direction": "grant", "amount": 30, "reason": "Festival prize", "idempotency_key": key})
    response = admin_client.post(url, {"direction": "deduct", "amount": 999, "reason": "oops", "idempotency_key": "k2"})

    assert response.status_code == 200 and response.context["form"].errors["amount"]
    account.refresh_from_db()
    assert account.balance == 50
    entry = LedgerEntry.objects.get(kind="admin_adjust")
    assert (entry.amount, entry.reason) == (30, "Festival prize")


@pytest.mark.django_db
def test_admin_adjust_requires_a_reason(admin_client, user):
    account = ledger.credit_account_open(user=user)
    url = reverse("admin:credits_creditaccount_adjust", args=[account.pk])

    response = admin_client.post(url, {"direction": "grant", "amount": 5, "reason": "", "idempotency_key": "k"})

    assert response.context["form"].errors["reason"]
    assert not LedgerEntry.objects.filter(kind="admin_adjust").exists()


@pytest.mark.django_db
def test_mark_paid_action_applies_once(admin_client, user):
    order = orders.order_create(user=user, package=CreditPackage.objects.get(code="credits-50"))
    changelist = reverse("admin:credits_order_changelist")

    for _ in range(2):
        admin_client.post(changelist, {"action": "mark_paid", "_selected_action": [order.pk]})

    assert LedgerEntry.objects.filter(kind="purchase").count() == 1


@pytest.mark.django_db
def test_ledger_is_read_only_in_the_admin(admin_client, user):
    ledger.credit_account_open(user=user)
    entry = LedgerEntry.objects.first()

    assert admin_client.get(reverse("admin:credits_ledgerentry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:credits_ledgerentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:credits_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["plan", "creditpackage", "creditcost", "creditaccount", "order", "ledgerentry", "hold", "paymentevent"])
def test_admin_lists_render(admin_client, user, model):
    ledger.credit_account_open(user=user)
    assert admin_client.get(reverse(f"admin:credits_{model}_changelist")).status_code == 200
