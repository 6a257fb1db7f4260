import hashlib
import json

import httpx
import pytest
import respx
from django.utils import timezone

from credits import ledger, orders, periods
from credits.models import CreditPackage, LedgerEntry, Order, PaymentEvent, PaymentSettings

from .factories import assert_consistent, plan

SERVER_KEY = "SB-Mid-server-TESTKEY"
SNAP = "https://app.sandbox.midtrans.com/snap/v1/transactions"


@pytest.fixture
def package(db):
    return CreditPackage.objects.get(code="credits-200")


@pytest.mark.django_db
def test_manual_order_paid_twice_grants_once(user, package):
    PaymentSettings.objects.filter(pk=1).update(whatsapp_number="+62 812-0000-1111")
    order = orders.order_create(user=user, package=package)
    assert order.gateway == "manual" and order.status == "pending"
    assert orders.whatsapp_link(order).startswith("https://wa.me/6281200001111?text=")
    assert order.number in orders.whatsapp_link(order).replace("%20", " ")

    assert orders.order_mark_paid(order=order) is True
    assert orders.order_mark_paid(order=order) is False
    assert orders.credits_purchase_apply(order=order) is False

    account = ledger.credit_account_open(user=user)
    assert LedgerEntry.objects.filter(kind="purchase", account=account).count() == 1
    assert account.purchased_balance == 200
    # Buying credits ends the trial: the creator is now a Free-plan customer.
    assert account.plan.code == "free"
    assert_consistent(account)


@pytest.mark.django_db
def test_plan_order_switches_the_plan_and_grants_its_cycle(user):
    order = orders.order_create(user=user, plan=plan("premium"), billing_cycle="yearly")
    assert order.amount == plan("premium").price_yearly

    orders.order_mark_paid(order=order)

    account = ledger.credit_account_open(user=user)
    assert account.plan.code == "premium" and account.billing_cycle == "yearly"
    assert account.cycle_balance == 1200
    assert account.trial_ends_at is None
    assert 360 <= (account.plan_expires_at - timezone.now()).days <= 366
    assert_consistent(account)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["pro", "unlimited", "trial"])
def test_contact_only_and_trial_plans_cannot_be_bought(user, code):
    with pytest.raises(orders.InvalidInput):
        orders.order_create(user=user, plan=plan(code))


@pytest.mark.django_db
def test_a_cancelled_order_cannot_be_paid_and_a_paid_one_cannot_be_cancelled(user, package):
    cancelled = orders.order_create(user=user, package=package)
    orders.order_cancel(order=cancelled)
    assert orders.order_mark_paid(order=cancelled) is False

    paid = orders.order_create(user=user, package=package)
    orders.order_mark_paid(order=paid)
    assert orders.order_cancel(order=paid) is False
    paid.refresh_from_db()
    assert paid.status == "paid"


# --- Midtrans ----------------------------------------------------------------------------------


def signed(order_id, status_code, gross_amount, key=SERVER_KEY, **fields):
    signature = hashlib.sha512(f"{order_id}{status_code}{gross_amount}{key}".encode()).hexdigest()
    return {"order_id": order_id, "status_code": status_code, "gross_amount": gross_amount,
            "signature_key": signature, "transaction_id": "tx-1", **fields}


@pytest.fixture
def midtrans_order(user, package, settings):
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY
    settings.MIDTRANS_IDR_RATE = "16000"
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(SNAP).mock(
            return_value=httpx.Response(201, json={"token": "snap-token", "redirect_url": "https://app.sandbox.midtrans.com/snap/v4/redirection/snap-token"})
        )
        order = orders.order_create(user=user, package=package)
    sent = json.loads(route.calls[0].request.content)
    assert sent["transaction_details"] == {"order_id": order.number, "gross_amount": 239840}
    assert route.calls[0].request.headers["Authorization"].startswith("Basic ")
    return order


def post_webhook(client, payload):
    return client.post("/api/v1/webhooks/midtrans", data=json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_midtrans_order_redirects_to_snap(midtrans_order):
    assert midtrans_order.gateway == "midtrans"
    assert midtrans_order.payment_url.startswith("https://app.sandbox.midtrans.com/")
    assert midtrans_order.gateway_amount == "239840.00"


@pytest.mark.django_db
def test_midtrans_unreachable_cancels_the_order_with_a_clear_error(user, package, settings):
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY
    with respx.mock() as mock:
        mock.post(SNAP).mock(side_effect=httpx.ConnectError("down"))
        with pytest.raises(orders.PaymentUnavailable):
            orders.order_create(user=user, package=package)
    assert Order.objects.get().status == "cancelled"


@pytest.mark.django_db
def test_webhook_with_a_wrong_signature_is_refused_and_grants_nothing(client, midtrans_order):
    payload = signed(midtrans_order.number, "200", "239840.00", key="wrong-key", transaction_status="settlement")

    response = post_webhook(client, payload)

    assert response.status_code == 403
    assert response.json()["error"] == "FORBIDDEN"
    assert not LedgerEntry.objects.filter(kind="purchase").exists()
    assert PaymentEvent.objects.get().outcome == "bad_signature"


@pytest.mark.django_db
def test_duplicate_settlement_grants_once(client, midtrans_order):
    payload = signed(midtrans_order.number, "200", "239840.00", transaction_status="settlement")

    assert post_webhook(client, payload).status_code == 200
    assert post_webhook(client, payload).status_code == 200

    assert LedgerEntry.objects.filter(kind="purchase").count() == 1
    midtrans_order.refresh_from_db()
    assert midtrans_order.status == "paid"
    assert list(PaymentEvent.objects.order_by("id").values_list("outcome", flat=True)) == ["applied", "already_applied"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"transaction_status": "pending"}, "pending"),
        ({"transaction_status": "deny"}, "cancelled"),
        ({"transaction_status": "expire"}, "expired"),
        ({"transaction_status": "capture", "fraud_status": "challenge"}, "pending"),
    ],
)
def test_pending_deny_and_challenged_payments_grant_nothing(client, midtrans_order, fields, status):
    response = post_webhook(client, signed(midtrans_order.number, "201", "239840.00", **fields))

    assert response.status_code == 200
    assert not LedgerEntry.objects.filter(kind="purchase").exists()
    midtrans_order.refresh_from_db()
    assert midtrans_order.status == status


@pytest.mark.django_db
def test_accepted_capture_grants(client, midtrans_order):
    post_webhook(client, signed(midtrans_order.number, "200", "239840.00", transaction_status="capture", fraud_status="accept"))

    assert LedgerEntry.objects.filter(kind="purchase").count() == 1


@pytest.mark.django_db
def test_a_signed_notification_with_another_amount_grants_nothing(client, midtrans_order):
    response = post_webhook(client, signed(midtrans_order.number, "200", "1000.00", transaction_status="settlement"))

    assert response.status_code == 422
    assert not LedgerEntry.objects.filter(kind="purchase").exists()


@pytest.mark.django_db
def test_webhook_refuses_everything_when_midtrans_is_not_configured(client, user, package, settings):
    settings.MIDTRANS_SERVER_KEY = ""
    order = orders.order_create(user=user, package=package)

    response = post_webhook(client, signed(order.number, "200", "14.99", key="", transaction_status="settlement"))

    assert response.status_code == 403
    assert not LedgerEntry.objects.filter(kind="purchase").exists()


@pytest.mark.django_db
def test_renewing_the_same_plan_early_extends_it_from_its_end(user):
    first = orders.order_create(user=user, plan=plan("basic"))
    orders.order_mark_paid(order=first)
    account = ledger.credit_account_open(user=user)
    ends, credits_before = account.plan_expires_at, account.balance

    renewal = orders.order_create(user=user, plan=plan("basic"), billing_cycle="monthly")
    orders.order_mark_paid(order=renewal)
    orders.order_mark_paid(order=renewal)

    account.refresh_from_db()
    assert account.plan_expires_at == periods.add_months(ends, 1)
    assert account.balance == credits_before  # credits keep coming each cycle, not all at once
    assert_consistent(account)


@pytest.mark.django_db
def test_ledger_shows_the_order_number_as_reference(user, package):
    order = orders.order_create(user=user, package=package)
    orders.order_mark_paid(order=order)

    entry = LedgerEntry.objects.get(kind="purchase")
    assert entry.reference == order.number
    assert entry.reference_object == order


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["14.99", "239840.00", "0.00"])
def test_a_manual_order_cannot_be_paid_by_a_signed_gateway_notification(client, user, package, settings, amount):
    """The order was made while Midtrans was off (manual transfer); a correctly signed
    notification for it, whatever amount it names, is recorded and refused."""
    settings.MIDTRANS_SERVER_KEY = ""
    order = orders.order_create(user=user, package=package)
    assert order.gateway == "manual" and order.gateway_amount == ""
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY

    response = post_webhook(client, signed(order.number, "200", amount, transaction_status="settlement"))

    assert response.status_code == 409
    assert response.json()["error"] == "ORDER_CONFLICT"
    order.refresh_from_db()
    assert order.status == "pending"
    assert not LedgerEntry.objects.filter(kind="purchase").exists()
    assert PaymentEvent.objects.get().outcome == "wrong_gateway"


@pytest.mark.django_db
def test_a_signed_notification_in_another_currency_grants_nothing(client, midtrans_order):
    payload = signed(midtrans_order.number, "200", "239840.00", transaction_status="settlement", currency="USD")

    response = post_webhook(client, payload)

    assert response.status_code == 422
    assert not LedgerEntry.objects.filter(kind="purchase").exists()
    assert PaymentEvent.objects.get().outcome == "amount_mismatch"
