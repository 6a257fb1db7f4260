"""Where creators choose how to pay (only gateways the admin offers; manual transfer always),
and the order page in each state, polling while a gateway's confirmation is awaited."""

import re

import pytest
import respx
from django.urls import reverse
from django.utils import translation

from credits import orders
from credits.models import CreditPackage, Order, PaymentGateway

from .factories import plan
from .gateway_cases import Polar, Stripe, Xendit

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(db):
    return CreditPackage.objects.get(code="credits-200")


def options(html: str) -> list[str]:
    select = re.search(r'<select name="gateway"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([a-z]+)"', select.group(1)) if select else []


def test_without_gateways_buy_forms_offer_manual_transfer_only(client, user, settings):
    settings.MIDTRANS_SERVER_KEY = ""
    client.force_login(user)

    html = client.get(reverse("credits:subscription")).content.decode()

    assert options(html) == [] and 'name="gateway" value="manual"' in html


def test_buy_forms_offer_the_configured_gateways_and_manual_transfer(client, user, settings):
    settings.MIDTRANS_SERVER_KEY = ""
    Stripe().configure()
    Xendit().configure()
    Polar().configure()
    PaymentGateway.objects.filter(code="polar").update(enabled=False)  # keys, but switched off: not offered
    client.force_login(user)

    html = client.get(reverse("credits:subscription")).content.decode()
    pricing = client.get(reverse("pricing")).content.decode()

    assert options(html) == ["xendit", "stripe", "manual"]
    assert "Stripe" in pricing and "Xendit" in pricing and "manual transfer" in pricing


def test_polar_is_offered_for_credit_packs_not_plans(client, user, settings, package):
    settings.MIDTRANS_SERVER_KEY = ""
    Polar().configure()
    client.force_login(user)

    html = client.get(reverse("credits:subscription")).content.decode()
    package_form = html[html.index('data-package="credits-200"'):]
    plan_form = html[html.index('data-plan="basic"'):]

    assert options(package_form)[:2] == ["polar", "manual"]
    assert options(plan_form)[0] == "manual"
    with pytest.raises(orders.InvalidInput):
        orders.order_create(user=user, plan=plan("basic"), gateway="polar")


def test_choosing_stripe_sends_the_creator_to_its_checkout(client, user, settings, package):
    settings.MIDTRANS_SERVER_KEY = ""
    case = Stripe()
    case.configure()
    client.force_login(user)

    with respx.mock(assert_all_called=True) as mock:
        case.stub_checkout(mock, reference="cs_test_9", redirect="https://checkout.stripe.com/c/pay/cs_test_9")
        response = client.post(reverse("credits:order_create"), {"package": "credits-200", "gateway": "stripe"})

    assert response.status_code == 302 and response.url == "https://checkout.stripe.com/c/pay/cs_test_9"
    assert Order.objects.get().gateway == "stripe"


@pytest.mark.parametrize(("status", "shown"), [
    ("pending", 'id="order-waiting"'), ("paid", 'id="order-paid"'), ("expired", 'id="order-closed"'),
    ("failed", 'id="order-failed"'), ("refunded", 'id="order-refunded"'), ("cancelled", 'id="order-closed"')])
@pytest.mark.parametrize("language", ["en", "id"])
def test_the_order_page_shows_each_state(client, user, package, status, shown, language):
    order = orders.order_create(user=user, package=package)
    Order.objects.filter(pk=order.pk).update(status=status, gateway="stripe")
    client.force_login(user)

    with translation.override(language):
        url = reverse("credits:order", args=[order.public_id])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    live = client.get(reverse("credits:order_status", args=[order.public_id])).content.decode()

    assert shown in html and shown in live
    polls = 'hx-trigger="every 3s"' in live
    assert polls == (status == "pending")


def test_the_order_page_turns_paid_when_the_gateway_confirms(client, user, package):
    order = orders.order_create(user=user, package=package)
    Order.objects.filter(pk=order.pk).update(gateway="stripe")
    client.force_login(user)
    status_url = reverse("credits:order_status", args=[order.public_id])
    assert 'id="order-waiting"' in client.get(status_url).content.decode()

    orders.order_mark_paid(order=order, gateway_reference="pi_1")

    response = client.get(status_url, HTTP_HX_REQUEST="true")
    live = response.content.decode()
    assert 'id="order-paid"' in live and 'id="receipt-link"' in live and "every 3s" not in live
    assert response["HX-Refresh"] == "true"  # the whole page shows the outcome
