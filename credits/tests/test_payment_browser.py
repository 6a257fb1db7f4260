"""Buying a credit pack with Stripe in headless Chromium: the buy form's choice, Stripe's checkout
(the SDK's request stubbed at the transport, answering with a local stand-in page that posts the
signed webhook back), then the credits and the receipt."""

import re
import threading
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from accounts.tests.factories import UserFactory, log_in
from credits import ledger
from credits.models import LedgerEntry, Order, PaymentEvent, Receipt
from modo.tests.test_accessibility import _violations as axe_violations

from . import stripe_stub_urls
from .gateway_cases import Stripe
from .test_browser import shoot

pytestmark = pytest.mark.browser


def test_buying_a_pack_with_stripe_credits_the_account_and_shows_the_receipt(page, live_server, settings):
    settings.ROOT_URLCONF = "credits.tests.stripe_stub_urls"
    settings.MIDTRANS_SERVER_KEY = ""
    Stripe().configure()
    user = UserFactory(email="rani@example.com", display_name="Rani")
    account = ledger.credit_account_open(user=user)
    before = account.available

    def create_session(request):
        sent = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        stripe_stub_urls.SESSIONS["cs_test_browser"] = {
            "order": sent["client_reference_id"], "amount": sent["line_items[0][price_data][unit_amount]"],
            "currency": sent["line_items[0][price_data][currency]"], "success_url": sent["success_url"],
            "delivered": threading.Event()}
        return httpx.Response(200, json={"id": "cs_test_browser", "object": "checkout.session", "status": "open",
                                         "url": f"{live_server.url}/stripe-stub/pay/cs_test_browser/"})

    log_in(page, "rani@example.com")
    with respx.mock(assert_all_called=True) as mock:
        mock.post("https://api.stripe.com/v1/checkout/sessions").mock(side_effect=create_session)
        page.goto("/settings/subscription/")
        shoot(page, "buy-with-gateway", "#packages")
        page.select_option("#package-credits-200 select[name=gateway]", "stripe")
        page.click("#package-credits-200 button[type=submit]")
        page.wait_for_url(re.compile(r"/stripe-stub/pay/cs_test_browser/$"))
        assert "Pay 1499 usd" in page.inner_text("h1")
        page.click("#stub-pay")
        page.wait_for_url(re.compile(r"/settings/orders/[0-9a-f-]{36}/$"))

    # Back before Stripe's webhook: the order page waits, polls, and shows the payment once it lands.
    assert page.is_visible("#order-waiting")
    stripe_stub_urls.SESSIONS["cs_test_browser"]["delivered"].set()
    page.wait_for_selector("#order-paid", timeout=20_000)
    order = Order.objects.get()
    assert PaymentEvent.objects.get(order=order, gateway="stripe").outcome == "applied"
    assert not page.is_visible("#order-pay")  # the page reloaded: no "Pay now" any more
    assert "200 credits were added to your account" in page.inner_text("#order-paid")
    shoot(page, "order-paid")
    account.refresh_from_db()
    assert account.purchased_balance == 200 and account.available > before  # (the trial ended: now on Free)
    assert LedgerEntry.objects.filter(kind="purchase", account=account).count() == 1
    assert page.inner_text(".credit-badge__value").replace(",", "") == str(account.available)

    page.click("#receipt-link")
    page.wait_for_url(re.compile(r"/receipt/$"))
    receipt = Receipt.objects.get(order=order)
    text = page.inner_text("#receipt")
    for shown in (receipt.label, "rani@example.com", order.number, "$14.99", "Stripe", "pi_test_1"):
        assert shown in text, shown
    shoot(page, "receipt")
    page.set_viewport_size({"width": 390, "height": 800})  # a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto("/settings/subscription/")
    assert receipt.label in page.inner_text("#orders")
    assert page.is_visible("#package-credits-200 select[name=gateway]")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The buy forms with their choice, the paid order and its receipt: no accessibility violation.
    pages = ["/settings/subscription/", f"/settings/orders/{order.public_id}/", f"/settings/orders/{order.public_id}/receipt/"]
    assert [v for path in pages for v in axe_violations(page, path)] == []
