"""Polar checkouts through the official SDK (`polar-sdk`, API version 2026-10): credit packages
sold as one Polar product (options["product_id"]) with the order's price set on the checkout.

Webhooks are verified per Standard Webhooks by the SDK (`polar.webhooks.validate_event`: the
`webhook-id` / `webhook-timestamp` / `webhook-signature` headers, five minutes' tolerance)."""

import json
import math
import time

from polar.base import PolarError
from polar.v2026_10 import Polar
from polar.webhooks import (
    PolarWebhookError,
    PolarWebhookUnknownTypeError,
    PolarWebhookVerificationError,
    validate_event,
)

from . import Checkout, GatewayConfig, GatewayError, Notification, Outcome, Rejected, minor_units

SUPPORTS_REFUND = True
PACKAGES_ONLY = True
TOLERANCE = 5 * 60  # the SDK's
EVENTS = {"order.paid": Outcome.PAID, "checkout.expired": Outcome.EXPIRED}


def _client(config: GatewayConfig) -> Polar:
    return Polar(config.secret_key, environment="production" if config.live_mode else "sandbox", timeout=15)


def checkout_create(*, order, config: GatewayConfig, return_url: str) -> Checkout:
    product = str(config.options.get("product_id", ""))
    if not product:
        raise GatewayError("Polar has no product_id configured")
    amount = minor_units(order.amount, order.currency)
    try:
        with _client(config) as polar:
            checkout = polar.checkouts.create(
                products=[product],
                prices={product: [{"amount_type": "fixed", "price_amount": amount,
                                   "price_currency": order.currency.lower()}]},
                metadata={"order": order.number}, external_customer_id=str(order.user.pk), allow_discount_codes=False,
                customer_email=order.user.email, success_url=return_url, return_url=return_url,
            )
    except PolarError as exc:
        raise GatewayError(f"Polar refused the checkout: {exc.__class__.__name__}") from exc
    return Checkout(reference=checkout.id, redirect_url=checkout.url, amount=str(amount))


def notification_parse(*, body: bytes, headers, config: GatewayConfig) -> Notification:
    headers = {key.lower(): value for key, value in headers.items()}
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        payload = {}
    try:
        stamp = float(headers.get("webhook-timestamp", ""))
    except ValueError:
        stamp = math.nan
    if math.isfinite(stamp) and abs(time.time() - stamp) > TOLERANCE:
        raise Rejected("stale", payload)
    try:
        event = validate_event(body, headers, config.webhook_secret, frozenset(EVENTS) | {"order.refunded"},
                               lambda data: data)
    except PolarWebhookVerificationError:
        raise Rejected("bad_signature", payload) from None
    except PolarWebhookUnknownTypeError:  # signed, but of a type we do not act on
        return Notification(event_id=headers.get("webhook-id", "")[:200], event_type=str(payload.get("type", ""))[:40],
                            outcome=Outcome.OTHER, order_number="", payload=payload)
    except PolarWebhookError:
        raise Rejected("malformed", payload) from None
    data = event.get("data") or {}
    metadata = data.get("metadata") or {}
    return Notification(
        event_id=headers["webhook-id"][:200], event_type=str(event["type"])[:40],
        outcome=EVENTS.get(event["type"], Outcome.OTHER), order_number=str(metadata.get("order", "")),
        # Before tax (Polar, the merchant of record, may add it on top of our price).
        amount=str(data.get("net_amount", data.get("total_amount", ""))), currency=str(data.get("currency", "")).upper(),
        payment_reference=str(data.get("id", ""))[:120], payload=payload,
    )


def refund_create(*, order, amount, config: GatewayConfig) -> str:
    try:
        with _client(config) as polar:
            refund = polar.refunds.create(order_id=order.gateway_reference, reason="customer_request",
                                          amount=minor_units(amount, order.currency))
    except PolarError as exc:
        raise GatewayError(f"Polar refused the refund: {exc.__class__.__name__}") from exc
    return refund.id
