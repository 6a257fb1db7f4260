"""Midtrans Snap over its HTTP API (https://docs.midtrans.com/reference/snap-api).

Only used when MIDTRANS_SERVER_KEY is set. The server key never leaves this module's requests
and is never logged."""

import base64
import hashlib
import hmac
from decimal import ROUND_HALF_UP, Decimal

import httpx
from django.conf import settings

SNAP_URLS = {
    False: "https://app.sandbox.midtrans.com/snap/v1/transactions",
    True: "https://app.midtrans.com/snap/v1/transactions",
}


class MidtransError(Exception):
    pass


def enabled() -> bool:
    return bool(settings.MIDTRANS_SERVER_KEY)


def idr_amount(amount: Decimal, currency: str) -> int:
    """Midtrans charges in whole rupiah; other currencies convert at MIDTRANS_IDR_RATE."""
    if currency.upper() != "IDR":
        amount = amount * Decimal(settings.MIDTRANS_IDR_RATE)
    return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def create_transaction(*, order_id: str, gross_amount: int, item_name: str, email: str, name: str, finish_url: str) -> dict:
    """Returns {"token", "redirect_url"}; raises MidtransError."""
    auth = base64.b64encode(f"{settings.MIDTRANS_SERVER_KEY}:".encode()).decode()
    body = {
        "transaction_details": {"order_id": order_id, "gross_amount": gross_amount},
        "item_details": [{"id": order_id, "price": gross_amount, "quantity": 1, "name": item_name[:50]}],
        "customer_details": {"email": email, "first_name": name[:50]},
        "callbacks": {"finish": finish_url},
    }
    try:
        response = httpx.post(
            SNAP_URLS[settings.MIDTRANS_IS_PRODUCTION],
            json=body,
            headers={"Authorization": f"Basic {auth}", "Accept": "application/json"},
            timeout=15,
        )
    except httpx.HTTPError as exc:
        raise MidtransError(f"Midtrans unreachable: {exc.__class__.__name__}") from exc
    if response.status_code not in (200, 201):
        raise MidtransError(f"Midtrans answered {response.status_code}")
    data = response.json()
    if "token" not in data or "redirect_url" not in data:
        raise MidtransError("Midtrans answered without a token")
    return data


def signature_valid(payload: dict) -> bool:
    """signature_key == SHA512(order_id + status_code + gross_amount + server_key)."""
    server_key = settings.MIDTRANS_SERVER_KEY
    if not server_key:
        return False
    raw = f"{payload.get('order_id', '')}{payload.get('status_code', '')}{payload.get('gross_amount', '')}{server_key}"
    expected = hashlib.sha512(raw.encode()).hexdigest()
    return hmac.compare_digest(expected, str(payload.get("signature_key", "")))
