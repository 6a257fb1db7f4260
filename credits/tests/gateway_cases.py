"""Each payment gateway as the tests drive it: its configuration, its vendor's answer to a
checkout (stubbed at the HTTP transport with respx, so the real SDK code runs), and notifications
signed as the vendor signs them (or forged, or stale)."""

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from urllib.parse import parse_qs

import httpx
from django.utils import timezone

from credits import services
from credits.models import PaymentGateway

STALE = 3600 * 24 * 30  # seconds in the past: older than every tolerance


class Case:
    code = ""
    currency = "USD"
    checkout_url = ""
    secret_key = ""
    webhook_secret = ""
    options: dict = {}

    def configure(self) -> PaymentGateway:
        gateway, _ = PaymentGateway.objects.update_or_create(code=self.code, defaults={
            "enabled": True, "currency": self.currency, "options": self.options})
        return services.payment_gateway_set_keys(gateway=gateway, secret_key=self.secret_key,
                                                 webhook_secret=self.webhook_secret)

    def stub_checkout(self, mock, reference="chk_1", redirect="https://pay.example/chk_1"):
        return mock.post(self.checkout_url).mock(return_value=httpx.Response(200, json=self.checkout_answer(reference, redirect)))

    def amount_of(self, order) -> str:
        return order.gateway_amount

    def post(self, client, body: bytes, headers: dict):
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        return client.post(f"/api/v1/webhooks/{self.code}", data=body, content_type="application/json", **extra)


class Midtrans(Case):
    code, currency = "midtrans", "IDR"
    checkout_url = "https://app.sandbox.midtrans.com/snap/v1/transactions"
    secret_key = "SB-Mid-server-CONTRACT"

    def checkout_answer(self, reference, redirect):
        return {"token": reference, "redirect_url": redirect}

    def request_shape(self, request, order):
        sent = json.loads(request.content)
        assert sent["transaction_details"] == {"order_id": order.number, "gross_amount": int(order.amount)}
        assert sent["customer_details"]["email"] == order.user.email
        assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"{self.secret_key}:".encode()).decode()

    def notification(self, order_number, amount, *, event="settlement", event_id="tx-1", forged=False, age=0):
        key = "forged" if forged else self.secret_key
        status_code = "200"
        payload = {"order_id": order_number, "status_code": status_code, "gross_amount": amount, "currency": "IDR",
                   "transaction_status": event, "transaction_id": event_id, "fraud_status": "accept",
                   "signature_key": hashlib.sha512(f"{order_number}{status_code}{amount}{key}".encode()).hexdigest()}
        if event == "settlement":
            jakarta = datetime.now(dt_timezone(timedelta(hours=7))) - timedelta(seconds=age)
            payload["settlement_time"] = f"{jakarta:%Y-%m-%d %H:%M:%S}"
        return json.dumps(payload).encode(), {}

    def expired(self, order_number, amount):
        return self.notification(order_number, amount, event="expire", event_id="tx-1")


class Xendit(Case):
    code, currency = "xendit", "IDR"
    checkout_url = "https://api.xendit.co/v2/invoices"
    secret_key, webhook_secret = "xnd_development_CONTRACT", "xendit-callback-token"

    def checkout_answer(self, reference, redirect):
        return {"id": reference, "status": "PENDING", "invoice_url": redirect}

    def request_shape(self, request, order):
        sent = json.loads(request.content)
        assert sent["external_id"] == order.number
        assert sent["amount"] == int(order.amount) and sent["currency"] == "IDR"
        assert sent["payer_email"] == order.user.email and sent["success_redirect_url"].endswith(f"/{order.public_id}/")
        assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"{self.secret_key}:".encode()).decode()
        assert request.headers["Idempotency-key"] == f"invoice-{order.number}"

    def notification(self, order_number, amount, *, event="PAID", event_id="inv-1", forged=False, age=0):
        updated = timezone.now() - timedelta(seconds=age)
        payload = {"id": event_id, "external_id": order_number, "status": event, "amount": int(amount),
                   "paid_amount": int(amount), "currency": "IDR", "payment_method": "QRIS",
                   "updated": updated.isoformat().replace("+00:00", "Z")}
        return json.dumps(payload).encode(), {"x-callback-token": "forged" if forged else self.webhook_secret}

    def expired(self, order_number, amount):
        return self.notification(order_number, amount, event="EXPIRED")


def stripe_signature(body: bytes, secret: str, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


class Stripe(Case):
    code, currency = "stripe", "USD"
    checkout_url = "https://api.stripe.com/v1/checkout/sessions"
    secret_key, webhook_secret = "sk_test_CONTRACT", "whsec_contract_secret"

    def checkout_answer(self, reference, redirect):
        return {"id": reference, "object": "checkout.session", "url": redirect, "status": "open"}

    def request_shape(self, request, order):
        sent = {key: values[0] for key, values in parse_qs(request.content.decode()).items()}
        assert sent["mode"] == "payment" and sent["client_reference_id"] == order.number
        assert sent["line_items[0][price_data][unit_amount]"] == order.gateway_amount == "1499"
        assert sent["line_items[0][price_data][currency]"] == "usd" and sent["metadata[order]"] == order.number
        assert sent["success_url"].endswith(f"/settings/orders/{order.public_id}/")
        assert request.headers["Authorization"] == f"Bearer {self.secret_key}"
        assert request.headers["Idempotency-Key"] == f"checkout-{order.number}"

    def notification(self, order_number, amount, *, event="checkout.session.completed", event_id="evt_1", forged=False,
                     age=0):
        session = {"id": "cs_test_1", "object": "checkout.session", "client_reference_id": order_number,
                   "amount_total": int(amount), "currency": "usd", "payment_status": "paid",
                   "payment_intent": "pi_test_1", "metadata": {"order": order_number}}
        body = json.dumps({"id": event_id, "object": "event", "type": event, "api_version": "2026-01-28",
                           "data": {"object": session}}).encode()
        secret = "whsec_forged" if forged else self.webhook_secret
        return body, {"stripe-signature": stripe_signature(body, secret, int(time.time()) - age)}

    def expired(self, order_number, amount):
        return self.notification(order_number, amount, event="checkout.session.expired", event_id="evt_2")


def polar_checkout_answer(reference, redirect, order_number="", amount=0):
    """A checkout as Polar's API answers it (every field its SDK requires)."""
    modes = dict.fromkeys(["country", "state", "city", "postal_code", "line1", "line2"], "disabled")
    nulls = ["modified_at", "return_url", "embed_origin", "units", "min_units", "max_units", "tax_amount", "tax_behavior",
             "allow_trial", "active_trial_interval", "active_trial_interval_count", "trial_end", "product_id",
             "product_price_id", "discount_id", "customer_id", "customer_name", "customer_email", "customer_ip_address",
             "customer_billing_name", "customer_billing_address", "customer_tax_id", "payment_method_type",
             "trial_interval", "trial_interval_count", "external_customer_id", "product", "product_price", "prices",
             "discount", "subscription_id"]
    return {**dict.fromkeys(nulls), "id": reference, "created_at": "2026-12-06T00:00:00Z", "payment_processor": "stripe",
            "status": "open", "client_secret": "polar_cs_secret", "url": redirect, "expires_at": "2026-12-06T01:00:00Z",
            "success_url": redirect, "amount": amount, "discount_amount": 0, "net_amount": amount, "total_amount": amount,
            "currency": "usd", "organization_id": "org_1", "allow_discount_codes": True, "require_billing_address": False,
            "is_discount_applicable": False, "is_free_product_price": False, "is_payment_required": True,
            "is_payment_setup_required": False, "is_payment_form_required": True, "is_business_customer": False,
            "payment_processor_metadata": {}, "billing_address_fields": modes, "metadata": {"order": order_number},
            "products": [], "attached_custom_fields": [], "customer_metadata": {}}


class Polar(Case):
    code, currency = "polar", "USD"
    checkout_url = "https://sandbox-api.polar.sh/v1/checkouts/"
    secret_key = "polar_oat_CONTRACT"
    webhook_secret = "whsec_" + base64.b64encode(b"polar-contract-signing-secret").decode()
    options = {"product_id": "prod_credits"}

    def checkout_answer(self, reference, redirect):
        return polar_checkout_answer(reference, redirect)

    def request_shape(self, request, order):
        sent = json.loads(request.content)
        assert sent["products"] == ["prod_credits"]
        assert sent["prices"] == {"prod_credits": [{"amount_type": "fixed", "price_amount": 1499, "price_currency": "usd"}]}
        assert sent["metadata"] == {"order": order.number} and sent["customer_email"] == order.user.email
        assert sent["allow_discount_codes"] is False
        assert request.headers["Authorization"] == f"Bearer {self.secret_key}"

    def notification(self, order_number, amount, *, event="order.paid", event_id="msg_1", forged=False, age=0):
        body = json.dumps({"type": event, "timestamp": timezone.now().isoformat(), "data": {
            "id": "polar-order-1", "subtotal_amount": int(amount), "net_amount": int(amount), "tax_amount": 110,
            "total_amount": int(amount) + 110, "currency": "usd",
            "metadata": {"order": order_number}}}).encode()
        at = int(time.time()) - age
        key = base64.b64decode(self.webhook_secret.removeprefix("whsec_"))
        if forged:
            key = b"someone-else"
        signature = base64.b64encode(hmac.new(key, f"{event_id}.{at}.".encode() + body, hashlib.sha256).digest()).decode()
        return body, {"webhook-id": event_id, "webhook-timestamp": str(at), "webhook-signature": f"v1,{signature}"}

    def expired(self, order_number, amount):
        return self.notification(order_number, amount, event="checkout.expired", event_id="msg_2")


CASES = [Midtrans(), Xendit(), Stripe(), Polar()]
