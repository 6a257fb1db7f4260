"""Refunds of paid orders (the admin's action): the money back through the order's gateway where
it can refund (else the admin marks a refund made by hand), and the order's credits back through
the ledger — never below zero. `ledger.credits_refund` (a failed job's charge) is another thing."""

import logging
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import gateways, ledger, selectors
from .exceptions import InvalidInput
from .models import Order
from .orders import PaymentUnavailable
from .reasons import Reason

log = logging.getLogger(__name__)


class Mode:
    PARTIAL = "partial"  # refund the money of the unspent credits and take those back
    FULL = "full"  # refund all the money and take back what is left of the credits (down to zero)


@dataclass(frozen=True)
class RefundPreview:
    credits: int  # what the order granted
    unspent: int  # of those, what the account still has (and could give back)
    spent: int
    partial_amount: Decimal  # the money of the unspent credits
    full_amount: Decimal
    via_gateway: bool  # False: the money goes back by hand (manual orders, Midtrans)


def _bucket(order: Order) -> str:
    return ledger.Bucket.CYCLE if order.plan_id else ledger.Bucket.PURCHASED


def order_refund_preview(*, order: Order) -> RefundPreview:
    """What a refund of the order would do now: its credits, how many were already spent (the
    account has fewer of their kind left), and the money of each choice."""
    account = order.account
    account.refresh_from_db()
    in_bucket = account.cycle_balance if order.plan_id else account.purchased_balance
    unspent = max(0, min(order.credits, in_bucket, account.available))
    full = Decimal(order.amount)
    partial = full if not order.credits else (full * unspent / order.credits).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    module = gateways.registry().get(order.gateway)
    return RefundPreview(credits=order.credits, unspent=unspent, spent=order.credits - unspent, partial_amount=partial,
                         full_amount=full, via_gateway=bool(module and module.SUPPORTS_REFUND))


def order_refund(*, order: Order, mode: str, actor, reference: str = "") -> Order:
    """Refunds a paid order once. The claim (a conditional update) comes first, then the
    gateway's refund (network, outside any transaction; a failure gives the claim back), then the
    ledger takes the credits back and the order is marked refunded, in one transaction.
    PARTIAL: the money of the unspent credits, and those credits. FULL: all the money, and the
    order's credits as far as the account has any (debited down to zero, never below)."""
    if mode not in (Mode.PARTIAL, Mode.FULL):
        raise InvalidInput(_("Choose a partial or a full refund."))
    claimed = Order.objects.filter(pk=order.pk, status=Order.Status.PAID, refund_started_at__isnull=True).update(
        refund_started_at=timezone.now())
    if not claimed:
        raise InvalidInput(_("Only a paid order can be refunded, and only once."))
    order = Order.objects.select_related("account", "user", "package", "plan").get(pk=order.pk)
    preview = order_refund_preview(order=order)
    amount = preview.partial_amount if mode == Mode.PARTIAL else preview.full_amount
    if preview.via_gateway and amount > 0:
        config = selectors.gateway_config(order.gateway)
        try:
            if config is None:
                raise gateways.GatewayError(f"{order.gateway} is not configured")
            reference = gateways.registry()[order.gateway].refund_create(order=order, amount=amount, config=config)
        except gateways.GatewayError as exc:
            log.warning("refund of %s failed: %s", order.number, exc)
            Order.objects.filter(pk=order.pk).update(refund_started_at=None)
            raise PaymentUnavailable() from exc
    with transaction.atomic():
        taken = 0
        wanted = preview.unspent if mode == Mode.PARTIAL else order.credits
        if wanted > 0:
            entry = ledger.credits_reverse(
                account=order.account, amount=wanted, bucket=_bucket(order), any_bucket=mode == Mode.FULL,
                idempotency_key=f"order-refund:{order.public_id}", reference=order, actor=actor,
                reason=Reason("order_refunded", number=order.number))
            taken = -entry.amount if entry else 0
        Order.objects.filter(pk=order.pk).update(
            status=Order.Status.REFUNDED, refunded_at=timezone.now(), refunded_amount=amount, refunded_credits=taken,
            refund_reference=(reference or "")[:120])
    order.refresh_from_db()
    return order
