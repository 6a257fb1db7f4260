"""Gateway notifications, exactly once. Every delivery is stored as a PaymentEvent first; the
first verified delivery of a gateway event id owns it (a unique constraint), later ones are
recorded as replays. Then one idempotent service applies it: credits move only for a verified
notification of an order that was sent to that gateway, for the amount and currency it was
sent for, and only through `orders.order_mark_paid` (a conditional update + the ledger's unique
key), so concurrent or repeated deliveries credit once."""

import json
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from . import gateways, orders, selectors
from .gateways import Notification, Outcome, Rejected
from .models import Order, PaymentEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    status: int  # the HTTP status to answer the gateway with
    outcome: str


CLOSING = {Outcome.EXPIRED: Order.Status.EXPIRED, Outcome.FAILED: Order.Status.FAILED,
           Outcome.CANCELLED: Order.Status.CANCELLED}
REJECTED_STATUS = {"bad_signature": 403, "stale": 403, "malformed": 422}


def _event_record(*, gateway: str, notification: Notification | None, payload: dict, outcome: str = "") -> PaymentEvent:
    """Stores one delivery; a verified event id seen before is stored as a replay."""
    fields = {"gateway": gateway, "payload": payload, "outcome": outcome}
    if notification is None:
        return PaymentEvent.objects.create(signature_valid=False, **fields)
    order = Order.objects.filter(number=notification.order_number).first() if notification.order_number else None
    fields.update(signature_valid=True, order=order, event_type=notification.event_type, event_id=notification.event_id)
    try:
        with transaction.atomic():
            return PaymentEvent.objects.create(**fields)
    except IntegrityError:
        return PaymentEvent.objects.create(is_replay=True, **fields)


def payment_notification_receive(*, gateway: str, body: bytes, headers) -> Result:
    """Verifies, records and applies one notification from `gateway`. Never raises for a bad
    notification: the Result says what to answer and the stored event says why."""
    module = gateways.registry().get(gateway)
    if module is None:
        return Result(404, "unknown_gateway")
    try:
        raw = json.loads(body or b"{}")
    except ValueError:
        raw = {}
    raw = raw if isinstance(raw, dict) else {"body": raw}
    config = selectors.gateway_config(gateway)
    if config is None:
        _event_record(gateway=gateway, notification=None, payload=raw, outcome="bad_signature")
        return Result(403, "bad_signature")
    try:
        notification = module.notification_parse(body=body, headers=headers, config=config)
    except Rejected as exc:
        log.warning("%s notification rejected: %s", gateway, exc.reason)
        _event_record(gateway=gateway, notification=None, payload=exc.payload or raw, outcome=exc.reason)
        return Result(REJECTED_STATUS.get(exc.reason, 403), exc.reason)
    event = _event_record(gateway=gateway, notification=notification, payload=notification.payload or raw)
    result = payment_event_apply(gateway=gateway, notification=notification, order=event.order)
    PaymentEvent.objects.filter(pk=event.pk).update(outcome=result.outcome)
    return result


def payment_event_apply(*, gateway: str, notification: Notification, order: Order | None) -> Result:
    """Applies a verified notification to its order. Idempotent: a second application of a paid
    notification is "already_applied"; a close (expired, failed) after the payment changes
    nothing ("out_of_order")."""
    if notification.outcome in (Outcome.OTHER, Outcome.PENDING) and order is None:
        return Result(200, "ignored")
    if order is None:
        return Result(404, "unknown_order")
    if order.gateway != gateway or not order.gateway_amount:
        # A manual order (or one this gateway never got) is not its to settle, whatever it signs.
        return Result(409, "wrong_gateway")
    if notification.outcome == Outcome.PAID:
        if notification.amount != order.gateway_amount or notification.currency != order.currency.upper():
            log.warning("%s paid %s %s for %s (sent %s %s)", gateway, notification.amount, notification.currency,
                        order.number, order.gateway_amount, order.currency)
            return Result(422, "amount_mismatch")
        if order.status in (Order.Status.CANCELLED, Order.Status.REFUNDED):
            return Result(200, "not_payable")  # the money arrived for a closed order: the admin refunds it
        applied = orders.order_mark_paid(order=order, gateway_reference=notification.payment_reference)
        return Result(200, "applied" if applied else "already_applied")
    if notification.outcome in CLOSING:
        status = CLOSING[notification.outcome]
        if orders.order_cancel(order=order, status=status):
            return Result(200, "closed")
        return Result(200, "out_of_order" if order.status == Order.Status.PAID else "ignored")
    return Result(200, "ignored")
