"""Payment gateways behind one small interface (DESIGN.md §1).

Each gateway is a module with:

- `checkout_create(*, order, config, return_url) -> Checkout`: starts a payment for a pending
  order (network I/O: never called inside a transaction). Raises GatewayError.
- `notification_parse(*, body, headers, config) -> Notification`: verifies a notification
  (signature / token, timestamp) and normalises it. Raises Rejected; never touches the database.
- `refund_create(*, order, amount, config) -> str` when `SUPPORTS_REFUND`: refunds `amount` of a
  paid order through the gateway and returns the refund's id. Raises GatewayError.

Amounts travel as the gateway writes them (`Checkout.amount` / `Notification.amount`, in the
gateway's own unit: whole rupiah, cents): a payment is applied only when both sides agree."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import ModuleType


class GatewayError(Exception):
    """The gateway refused or did not answer. The message is for the log, never for creators."""


class Rejected(Exception):
    """A notification that cannot be trusted: `reason` is "bad_signature", "stale" or "malformed"."""

    def __init__(self, reason: str, payload: dict | None = None):
        super().__init__(reason)
        self.reason, self.payload = reason, payload or {}


@dataclass(frozen=True)
class GatewayConfig:
    """What a gateway needs to talk to its vendor, decrypted for one call."""

    code: str
    secret_key: str
    webhook_secret: str = ""
    live_mode: bool = False
    currency: str = "USD"
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Checkout:
    reference: str  # the vendor's id of the checkout (session, invoice, snap token)
    redirect_url: str = ""  # where the creator pays
    amount: str = ""  # the amount as sent, in the gateway's unit


class Outcome:
    PAID, EXPIRED, FAILED, CANCELLED, PENDING, OTHER = "paid", "expired", "failed", "cancelled", "pending", "other"


@dataclass(frozen=True)
class Notification:
    event_id: str  # unique per gateway: a second delivery of it is a replay
    event_type: str
    outcome: str  # an Outcome
    order_number: str
    amount: str = ""
    currency: str = ""
    payment_reference: str = ""
    payload: dict = field(default_factory=dict)


def minor_units(amount: Decimal, currency: str) -> int:
    """Cents (or whole rupiah: IDR has no minor unit at the gateways)."""
    scale = Decimal("1") if currency.upper() == "IDR" else Decimal("100")
    return int((Decimal(amount) * scale).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def registry() -> dict[str, ModuleType]:
    from . import midtrans, polar, stripe, xendit

    return {"midtrans": midtrans, "xendit": xendit, "stripe": stripe, "polar": polar}


CODES = ("midtrans", "xendit", "stripe", "polar")
INDONESIAN = ("midtrans", "xendit")
