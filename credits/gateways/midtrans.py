"""Midtrans Snap over its HTTP API (https://docs.midtrans.com/reference/snap-api).

Configured in the admin (PaymentGateway "midtrans") or, as before, by MIDTRANS_SERVER_KEY. The
server key never leaves this module's requests and is never logged. Notifications carry no
signed timestamp: a settlement whose `settlement_time` is older than PAYMENT_NOTIFICATION_MAX_AGE
is refused as stale, and a replayed one is caught by the event store (credits/payments.py)."""

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import ROUND_HALF_UP, Decimal

import httpx
from django.conf import settings
from django.utils import timezone

from . import Checkout, GatewayConfig, GatewayError, Notification, Outcome, Rejected

SNAP_URLS = {
    False: "https://app.sandbox.midtrans.com/snap/v1/transactions",
    True: "https://app.midtrans.com/snap/v1/transactions",
}
SUPPORTS_REFUND = False  # refunds depend on the payment method: done in the Midtrans dashboard, marked here
MidtransError = GatewayError
JAKARTA = dt_timezone(timedelta(hours=7))


def idr_amount(amount: Decimal, currency: str) -> int:
    """Midtrans charges in whole rupiah; other currencies convert at MIDTRANS_IDR_RATE."""
    if currency.upper() != "IDR":
        amount = amount * Decimal(settings.MIDTRANS_IDR_RATE)
    return int(Decimal(amount).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def create_transaction(*, config: GatewayConfig, order_id: str, gross_amount: int, item_name: str, email: str,
                       name: str, finish_url: str) -> dict:
    """Returns {"token", "redirect_url"}; raises GatewayError."""
    auth = base64.b64encode(f"{config.secret_key}:".encode()).decode()
    body = {
        "transaction_details": {"order_id": order_id, "gross_amount": gross_amount},
        "item_details": [{"id": order_id, "price": gross_amount, "quantity": 1, "name": item_name[:50]}],
        "customer_details": {"email": email, "first_name": name[:50]},
        "callbacks": {"finish": finish_url},
    }
    try:
        response = httpx.post(
            SNAP_URLS[config.live_mode], json=body,
            headers={"Authorization": f"Basic {auth}", "Accept": "application/json"}, timeout=15,
        )
    except httpx.HTTPError as exc:
        raise GatewayError(f"Midtrans unreachable: {exc.__class__.__name__}") from exc
    if response.status_code not in (200, 201):
        raise GatewayError(f"Midtrans answered {response.status_code}")
    data = response.json()
    if "token" not in data or "redirect_url" not in data:
        raise GatewayError("Midtrans answered without a token")
    return data


def checkout_create(*, order, config: GatewayConfig, return_url: str) -> Checkout:
    gross = idr_amount(Decimal(order.amount), order.currency)
    snap = create_transaction(config=config, order_id=order.number, gross_amount=gross, item_name=order.item_name,
                              email=order.user.email, name=order.user.get_short_name(), finish_url=return_url)
    return Checkout(reference=snap["token"], redirect_url=snap["redirect_url"], amount=f"{gross}.00")


def signature_valid(payload: dict, server_key: str) -> bool:
    """signature_key == SHA512(order_id + status_code + gross_amount + server_key)."""
    if not server_key:
        return False
    raw = f"{payload.get('order_id', '')}{payload.get('status_code', '')}{payload.get('gross_amount', '')}{server_key}"
    expected = hashlib.sha512(raw.encode()).hexdigest()
    return hmac.compare_digest(expected, str(payload.get("signature_key", "")))


def _older_than_max_age(moment: str) -> bool:
    """Midtrans writes times in Jakarta time ("2026-12-06 10:00:00"); an unreadable one is not judged."""
    try:
        when = datetime.strptime(moment, "%Y-%m-%d %H:%M:%S").replace(tzinfo=JAKARTA)
    except ValueError:
        return False
    return when < timezone.now() - timedelta(seconds=settings.PAYMENT_NOTIFICATION_MAX_AGE)


FAILED = {"deny": Outcome.CANCELLED, "cancel": Outcome.CANCELLED, "failure": Outcome.CANCELLED, "expire": Outcome.EXPIRED}


def notification_parse(*, body: bytes, headers, config: GatewayConfig) -> Notification:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        raise Rejected("malformed") from None
    if not isinstance(payload, dict):
        raise Rejected("malformed")
    if not signature_valid(payload, config.secret_key):
        raise Rejected("bad_signature", payload)
    if _older_than_max_age(str(payload.get("settlement_time") or "")):
        raise Rejected("stale", payload)
    status, fraud = str(payload.get("transaction_status", "")), payload.get("fraud_status", "accept")
    if status == "settlement" or (status == "capture" and fraud == "accept"):
        outcome = Outcome.PAID
    else:
        outcome = FAILED.get(status, Outcome.PENDING if status in ("pending", "capture") else Outcome.OTHER)
    transaction = str(payload.get("transaction_id", "") or payload.get("order_id", ""))
    return Notification(
        event_id=f"{transaction}:{status}:{fraud}"[:200], event_type=status[:40], outcome=outcome,
        order_number=str(payload.get("order_id", "")), amount=str(payload.get("gross_amount")),
        currency=str(payload.get("currency", "IDR")).upper(), payment_reference=str(payload.get("transaction_id", ""))[:120],
        payload=payload,
    )
