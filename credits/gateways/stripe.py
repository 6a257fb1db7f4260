"""Stripe Checkout Sessions through the official SDK (https://docs.stripe.com/api/checkout/sessions),
its HTTP through httpx (so tests stub it at the transport).

Webhooks are verified by `stripe.Webhook.construct_event` with the endpoint's signing secret and
its timestamp tolerance (STRIPE_WEBHOOK_TOLERANCE seconds); a timestamp outside it is "stale"."""

import json
import time

import stripe
from django.conf import settings

from . import Checkout, GatewayConfig, GatewayError, Notification, Outcome, Rejected, minor_units

SUPPORTS_REFUND = True
EVENTS = {
    "checkout.session.async_payment_succeeded": Outcome.PAID,
    "checkout.session.async_payment_failed": Outcome.FAILED,
    "checkout.session.expired": Outcome.EXPIRED,
}


def _client(config: GatewayConfig) -> stripe.StripeClient:
    return stripe.StripeClient(config.secret_key, http_client=stripe.HTTPXClient(allow_sync_methods=True, timeout=15),
                               max_network_retries=0)


def checkout_create(*, order, config: GatewayConfig, return_url: str) -> Checkout:
    amount = minor_units(order.amount, order.currency)
    try:
        session = _client(config).v1.checkout.sessions.create(params={
            "mode": "payment",
            "client_reference_id": order.number,
            "customer_email": order.user.email,
            "line_items": [{"quantity": 1, "price_data": {
                "currency": order.currency.lower(), "unit_amount": amount, "product_data": {"name": order.item_name[:250]}}}],
            "metadata": {"order": order.number},
            "payment_intent_data": {"metadata": {"order": order.number}},
            "success_url": return_url, "cancel_url": return_url,
        }, options={"idempotency_key": f"checkout-{order.number}"})
    except stripe.StripeError as exc:
        raise GatewayError(f"Stripe refused the session: {exc.__class__.__name__}") from exc
    return Checkout(reference=session.id, redirect_url=session.url or "", amount=str(amount))


def _timestamp(header: str) -> int | None:
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            return int(value)
    return None


def notification_parse(*, body: bytes, headers, config: GatewayConfig) -> Notification:
    header = headers.get("stripe-signature", "")
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        payload = {}
    tolerance = settings.STRIPE_WEBHOOK_TOLERANCE
    stamp = _timestamp(header)
    if stamp is not None and abs(time.time() - stamp) > tolerance:
        raise Rejected("stale", payload)
    try:
        event = stripe.Webhook.construct_event(body, header, config.webhook_secret, tolerance=tolerance)
    except (stripe.SignatureVerificationError, ValueError):
        raise Rejected("bad_signature", payload) from None
    session = event.data.object.to_dict()
    if event.type == "checkout.session.completed":
        outcome = Outcome.PAID if session.get("payment_status") in ("paid", "no_payment_required") else Outcome.PENDING
    else:
        outcome = EVENTS.get(event.type, Outcome.OTHER)
    metadata = session.get("metadata") or {}
    return Notification(
        event_id=event.id, event_type=event.type[:40], outcome=outcome,
        order_number=str(session.get("client_reference_id") or metadata.get("order") or ""),
        amount=str(session.get("amount_total", "")), currency=str(session.get("currency", "")).upper(),
        payment_reference=str(session.get("payment_intent") or session.get("id") or "")[:120], payload=payload,
    )


def refund_create(*, order, amount, config: GatewayConfig) -> str:
    try:
        refund = _client(config).v1.refunds.create(
            params={"payment_intent": order.gateway_reference, "amount": minor_units(amount, order.currency),
                    "metadata": {"order": order.number}},
            options={"idempotency_key": f"refund-{order.number}"})
    except stripe.StripeError as exc:
        raise GatewayError(f"Stripe refused the refund: {exc.__class__.__name__}") from exc
    return refund.id
