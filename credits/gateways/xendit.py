"""Xendit invoices over its REST API (https://developers.xendit.co/api-reference/#create-invoice):
QRIS, e-wallets, virtual accounts and cards on Xendit's hosted page, in IDR.

Callbacks are verified with the account's callback verification token (`x-callback-token`
header, compared in constant time) and refused when their `updated` time is older than
PAYMENT_NOTIFICATION_MAX_AGE. Invoice statuses: PAID and SETTLED pay, EXPIRED expires."""

import base64
import hmac
import json
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from . import Checkout, GatewayConfig, GatewayError, Notification, Outcome, Rejected, minor_units

API = "https://api.xendit.co"
SUPPORTS_REFUND = True
STATUSES = {"PAID": Outcome.PAID, "SETTLED": Outcome.PAID, "EXPIRED": Outcome.EXPIRED, "PENDING": Outcome.PENDING}


def _post(config: GatewayConfig, path: str, body: dict, idempotency_key: str) -> dict:
    auth = base64.b64encode(f"{config.secret_key}:".encode()).decode()
    try:
        response = httpx.post(f"{API}{path}", json=body, timeout=15, headers={
            "Authorization": f"Basic {auth}", "Accept": "application/json", "Idempotency-key": idempotency_key})
    except httpx.HTTPError as exc:
        raise GatewayError(f"Xendit unreachable: {exc.__class__.__name__}") from exc
    if response.status_code not in (200, 201):
        raise GatewayError(f"Xendit answered {response.status_code}")
    return response.json()


def checkout_create(*, order, config: GatewayConfig, return_url: str) -> Checkout:
    amount = minor_units(order.amount, order.currency)
    data = _post(config, "/v2/invoices", {
        "external_id": order.number, "amount": amount, "currency": order.currency.upper(),
        "description": order.item_name[:255], "payer_email": order.user.email,
        "customer": {"given_names": order.user.get_short_name()[:50], "email": order.user.email},
        "items": [{"name": order.item_name[:255], "quantity": 1, "price": amount}],
        "invoice_duration": int((order.expires_at - timezone.now()).total_seconds()) if order.expires_at else 86400,
        "success_redirect_url": return_url, "failure_redirect_url": return_url,
    }, idempotency_key=f"invoice-{order.number}")
    if not data.get("id") or not data.get("invoice_url"):
        raise GatewayError("Xendit answered without an invoice")
    return Checkout(reference=data["id"], redirect_url=data["invoice_url"], amount=str(amount))


def notification_parse(*, body: bytes, headers, config: GatewayConfig) -> Notification:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        raise Rejected("malformed") from None
    if not isinstance(payload, dict):
        raise Rejected("malformed")
    token = headers.get("x-callback-token", "")
    if not config.webhook_secret or not hmac.compare_digest(token.encode(), config.webhook_secret.encode()):
        raise Rejected("bad_signature", payload)
    try:
        updated = datetime.fromisoformat(str(payload.get("updated", "")).replace("Z", "+00:00"))
    except ValueError:
        raise Rejected("malformed", payload) from None
    if updated < timezone.now() - timedelta(seconds=settings.PAYMENT_NOTIFICATION_MAX_AGE):
        raise Rejected("stale", payload)
    status = str(payload.get("status", "")).upper()
    amount = payload.get("paid_amount") if status in ("PAID", "SETTLED") else payload.get("amount")
    return Notification(
        event_id=f"{payload.get('id', '')}:{status}"[:200], event_type=status[:40],
        outcome=STATUSES.get(status, Outcome.OTHER), order_number=str(payload.get("external_id", "")),
        amount=str(int(amount)) if isinstance(amount, int | float) else str(amount),
        currency=str(payload.get("currency", "")).upper(),
        payment_reference=str(payload.get("id", ""))[:120], payload=payload,
    )


def refund_create(*, order, amount, config: GatewayConfig) -> str:
    data = _post(config, "/refunds", {
        "invoice_id": order.gateway_reference, "amount": minor_units(amount, order.currency),
        "currency": order.currency.upper(), "reason": "REQUESTED_BY_CUSTOMER",
        "metadata": {"order": order.number}}, idempotency_key=f"refund-{order.number}")
    return str(data.get("id", ""))
