"""Every payment gateway through the same contract: the checkout request it sends, and which
notifications move credits (a valid one, once) and which are recorded and refused (a replay,
a forged signature or token, a stale timestamp, another amount, an unknown order)."""

import pytest
import respx

from credits import orders
from credits.models import CreditPackage, LedgerEntry, Order, PaymentEvent

from .factories import assert_consistent
from .gateway_cases import CASES, STALE

pytestmark = pytest.mark.django_db
ids = [case.code for case in CASES]


@pytest.fixture(params=CASES, ids=ids)
def case(request, settings):
    settings.MIDTRANS_SERVER_KEY = ""
    settings.MIDTRANS_IDR_RATE = "16000"
    request.param.configure()
    return request.param


@pytest.fixture
def package(db):
    return CreditPackage.objects.get(code="credits-200")  # $14.99


@pytest.fixture
def order(case, user, package):
    with respx.mock(assert_all_called=True) as mock:
        case.stub_checkout(mock)
        return orders.order_create(user=user, package=package, gateway=case.code)


def purchases():
    return LedgerEntry.objects.filter(kind="purchase").count()


def test_checkout_creation_sends_the_order_to_the_gateway(case, user, package):
    with respx.mock(assert_all_called=True) as mock:
        route = case.stub_checkout(mock, reference="chk_42", redirect="https://pay.example/chk_42")
        order = orders.order_create(user=user, package=package, gateway=case.code)

    case.request_shape(route.calls[0].request, order)
    assert (order.gateway, order.status, order.currency) == (case.code, "pending", case.currency)
    assert order.payment_url == "https://pay.example/chk_42" and order.checkout_reference == "chk_42"
    expected = "239840" if case.currency == "IDR" else "14.99"
    assert f"{order.amount:f}".rstrip("0").rstrip(".") == expected


def test_a_valid_paid_notification_credits_once_and_a_replay_nothing(client, case, order):
    body, headers = case.notification(order.number, case.amount_of(order))

    first = case.post(client, body, headers)
    replay = case.post(client, body, headers)

    assert (first.status_code, replay.status_code) == (200, 200)
    assert purchases() == 1
    order.refresh_from_db()
    assert order.status == "paid" and order.gateway_reference
    events = list(PaymentEvent.objects.order_by("id").values_list("outcome", "is_replay", "signature_valid"))
    assert events == [("applied", False, True), ("already_applied", True, True)]
    assert_consistent(order.account)


def test_a_forged_notification_credits_nothing_and_is_recorded(client, case, order):
    body, headers = case.notification(order.number, case.amount_of(order), forged=True)

    response = case.post(client, body, headers)

    assert response.status_code == 403 and response.json()["error"] == "FORBIDDEN"
    assert purchases() == 0
    event = PaymentEvent.objects.get()
    assert (event.outcome, event.signature_valid, event.event_id) == ("bad_signature", False, "")
    order.refresh_from_db()
    assert order.status == "pending"


def test_a_stale_notification_credits_nothing_and_is_recorded(client, case, order):
    body, headers = case.notification(order.number, case.amount_of(order), age=STALE)

    response = case.post(client, body, headers)

    assert response.status_code == 403
    assert purchases() == 0
    assert PaymentEvent.objects.get().outcome == "stale"


def test_a_notification_for_another_amount_credits_nothing_and_is_recorded(client, case, order):
    wrong = str(int(float(case.amount_of(order))) - 1) + (".00" if case.code == "midtrans" else "")
    body, headers = case.notification(order.number, wrong)

    response = case.post(client, body, headers)

    assert response.status_code == 422
    assert purchases() == 0
    assert PaymentEvent.objects.get().outcome == "amount_mismatch"
    order.refresh_from_db()
    assert order.status == "pending"


def test_a_notification_for_an_unknown_order_credits_nothing_and_is_recorded(client, case, order):
    body, headers = case.notification("MODO-000000-NOSUCH", case.amount_of(order))

    response = case.post(client, body, headers)

    assert response.status_code == 404
    assert purchases() == 0
    event = PaymentEvent.objects.get()
    assert (event.outcome, event.order) == ("unknown_order", None)


def test_paid_after_expired_credits_once_and_expired_after_paid_changes_nothing(client, case, order):
    expired_body, expired_headers = case.expired(order.number, case.amount_of(order))
    paid_body, paid_headers = case.notification(order.number, case.amount_of(order))

    assert case.post(client, expired_body, expired_headers).status_code == 200
    order.refresh_from_db()
    assert order.status == "expired"
    assert case.post(client, paid_body, paid_headers).status_code == 200  # the money arrived after all
    # The expiry again, late (a retry): the paid order stays paid.
    PaymentEvent.objects.all().delete()
    assert case.post(client, expired_body, expired_headers).status_code == 200

    order.refresh_from_db()
    assert order.status == "paid" and purchases() == 1
    assert PaymentEvent.objects.get().outcome == "out_of_order"


def test_a_manual_order_cannot_be_paid_through_a_gateway(client, case, user, package):
    order = orders.order_create(user=user, package=package, gateway="manual")
    Order.objects.filter(pk=order.pk).update(gateway_amount="")
    body, headers = case.notification(order.number, "1499")

    response = case.post(client, body, headers)

    assert response.status_code == 409
    assert purchases() == 0 and PaymentEvent.objects.get().outcome == "wrong_gateway"


def test_a_gateway_that_is_not_offered_refuses_orders_and_notifications(client, case, user, package, order):
    from credits.models import PaymentGateway

    PaymentGateway.objects.filter(code=case.code).update(enabled=False)
    body, headers = case.notification(order.number, case.amount_of(order))

    with pytest.raises(orders.InvalidInput):
        orders.order_create(user=user, package=package, gateway=case.code)
    assert case.post(client, body, headers).status_code == 403
    assert purchases() == 0


def test_the_api_orders_through_the_chosen_gateway_and_documents_the_choice(client, case, user):
    from accounts.tests.factories import bearer

    with respx.mock(assert_all_called=True) as mock:
        case.stub_checkout(mock, reference="chk_api", redirect="https://pay.example/chk_api")
        response = client.post("/api/v1/orders", {"package": "credits-200", "gateway": case.code},
                               content_type="application/json", **bearer(user))

    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["gateway"], data["currency"], data["payment_url"]) == (case.code, case.currency, "https://pay.example/chk_api")
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["OrderIn"]
    assert "stripe" in str(schema["properties"]["gateway"])
