"""Refunds of paid orders: the money through the gateway where it can (stubbed at the transport),
the credits back through the ledger, never below zero; what was spent is shown and decides."""

import json
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from django.urls import reverse

from accounts.tests.factories import UserFactory
from credits import ledger, orders, refunds
from credits.exceptions import InvalidInput
from credits.models import CreditPackage, LedgerEntry, Order

from .factories import assert_consistent
from .gateway_cases import Polar, Stripe, Xendit

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(db):
    return CreditPackage.objects.get(code="credits-200")


@pytest.fixture
def stripe_paid_order(client, user, package, settings):
    case = Stripe()
    case.configure()
    with respx.mock() as mock:
        case.stub_checkout(mock)
        order = orders.order_create(user=user, package=package, gateway="stripe")
    body, headers = case.notification(order.number, order.gateway_amount)
    assert case.post(client, body, headers).status_code == 200
    order.refresh_from_db()
    assert order.status == "paid" and order.gateway_reference == "pi_test_1"
    return order


def spend(account, amount):
    hold = ledger.credits_hold(account=account, amount=amount, reference=f"job:{amount}", idempotency_key=f"spend:{amount}")
    ledger.credits_capture(hold=hold, amount=amount)
    account.refresh_from_db()


def test_a_full_refund_of_an_unspent_package_refunds_through_stripe_and_takes_all_its_credits_back(stripe_paid_order):
    order = stripe_paid_order
    account = order.account
    account.refresh_from_db()
    before = account.balance
    preview = refunds.order_refund_preview(order=order)
    assert (preview.credits, preview.spent, preview.unspent, preview.via_gateway) == (200, 0, 200, True)

    with respx.mock(assert_all_called=True) as mock:
        route = mock.post("https://api.stripe.com/v1/refunds").mock(
            return_value=httpx.Response(200, json={"id": "re_test_1", "object": "refund", "status": "succeeded"}))
        order = refunds.order_refund(order=order, mode=refunds.Mode.FULL, actor=None)

    sent = {k: v[0] for k, v in parse_qs(route.calls[0].request.content.decode()).items()}
    assert (sent["payment_intent"], sent["amount"]) == ("pi_test_1", "1499")
    assert (order.status, order.refunded_amount, order.refunded_credits, order.refund_reference) == (
        "refunded", Decimal("14.99"), 200, "re_test_1")
    account.refresh_from_db()
    assert account.balance == before - 200 and account.purchased_balance == 0
    assert_consistent(account)
    with pytest.raises(InvalidInput):  # once
        refunds.order_refund(order=order, mode=refunds.Mode.FULL, actor=None)


def test_a_failed_gateway_refund_changes_nothing_and_can_be_tried_again(stripe_paid_order):
    with respx.mock() as mock:
        mock.post("https://api.stripe.com/v1/refunds").mock(return_value=httpx.Response(500, json={"error": {}}))
        with pytest.raises(orders.PaymentUnavailable):
            refunds.order_refund(order=stripe_paid_order, mode=refunds.Mode.FULL, actor=None)

    stripe_paid_order.refresh_from_db()
    assert stripe_paid_order.status == "paid" and stripe_paid_order.refund_started_at is None
    assert not LedgerEntry.objects.filter(kind="admin_adjust").exists()


def test_a_partial_refund_when_some_credits_were_spent_refunds_the_unspent_part(user, package):
    order = orders.order_create(user=user, package=package)  # manual transfer: the money goes back by hand
    orders.order_mark_paid(order=order)
    account = order.account
    account.refresh_from_db()
    spend(account, account.bonus_balance + account.cycle_balance + 50)  # 50 of the package's credits
    assert account.purchased_balance == 150

    preview = refunds.order_refund_preview(order=order)
    assert (preview.spent, preview.unspent, preview.partial_amount, preview.via_gateway) == (
        50, 150, Decimal("11.24"), False)
    order = refunds.order_refund(order=order, mode=refunds.Mode.PARTIAL, actor=None, reference="BCA-123")

    assert (order.status, order.refunded_amount, order.refunded_credits, order.refund_reference) == (
        "refunded", Decimal("11.24"), 150, "BCA-123")
    account.refresh_from_db()
    assert account.purchased_balance == 0 and account.balance >= 0
    assert_consistent(account)


def test_a_full_refund_after_spending_debits_down_to_zero_never_below(user, package):
    order = orders.order_create(user=user, package=package)
    orders.order_mark_paid(order=order)
    account = order.account
    account.refresh_from_db()
    spend(account, account.balance - 30)  # 30 credits left in the account

    order = refunds.order_refund(order=order, mode=refunds.Mode.FULL, actor=None)

    assert (order.refunded_amount, order.refunded_credits) == (Decimal("14.99"), 30)
    account.refresh_from_db()
    assert account.balance == 0
    assert_consistent(account)


def test_the_admin_sees_what_was_spent_and_chooses_the_refund(client, user, package):
    order = orders.order_create(user=user, package=package)
    orders.order_mark_paid(order=order)
    account = order.account
    account.refresh_from_db()
    spend(account, account.bonus_balance + account.cycle_balance + 40)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:credits_order_changelist")

    page = client.post(url, {"action": "refund", "_selected_action": [order.pk]})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="refund-spent">40<' in html and 'id="refund-unspent">160<' in html

    done = client.post(url, {"action": "refund", "_selected_action": [order.pk], "apply": "1", "mode": "partial",
                             "reference": "manual-9"})

    assert done.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.refunded_credits, order.refunded_amount) == ("refunded", 160, Decimal("11.99"))
    assert Order.objects.get(pk=order.pk).refund_reference == "manual-9"


@pytest.mark.parametrize(("case", "url", "answer"), [
    (Xendit(), "https://api.xendit.co/refunds", {"id": "rfd-xendit-1", "status": "PENDING"}),
    (Polar(), "https://sandbox-api.polar.sh/v1/refunds/", {
        "created_at": "2026-12-06T00:00:00Z", "modified_at": None, "id": "rfd-polar-1", "metadata": {},
        "status": "pending", "reason": "customer_request", "amount": 1499, "tax_amount": 0, "currency": "usd",
        "organization_id": "org_1", "order_id": "polar-order-1", "subscription_id": None, "customer_id": "cus_1",
        "revoke_benefits": False, "dispute": None}),
], ids=["xendit", "polar"])
def test_xendit_and_polar_refund_the_payment_they_took(client, user, package, case, url, answer):
    case.configure()
    with respx.mock() as mock:
        case.stub_checkout(mock)
        order = orders.order_create(user=user, package=package, gateway=case.code)
    body, headers = case.notification(order.number, order.gateway_amount)
    assert case.post(client, body, headers).status_code == 200
    order.refresh_from_db()

    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(url).mock(return_value=httpx.Response(200, json=answer))
        order = refunds.order_refund(order=order, mode=refunds.Mode.FULL, actor=None)

    sent = json.loads(route.calls[0].request.content)
    if case.code == "xendit":
        assert (sent["invoice_id"], sent["amount"], sent["currency"]) == ("inv-1", 239840, "IDR")
    else:
        assert (sent["order_id"], sent["amount"], sent["reason"]) == ("polar-order-1", 1499, "customer_request")
    assert (order.status, order.refund_reference, order.refunded_credits) == ("refunded", answer["id"], 200)
