"""Orders and payments. A paid order is applied (credits granted and/or plan switched) exactly
once, whoever marks it paid and however often: the claim is a conditional update and the
ledger entry has a unique key."""

import logging
import secrets
from decimal import Decimal
from urllib.parse import quote as urlquote

from django.db import transaction
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modo.http import absolute_url

from . import ledger, midtrans, notices
from .exceptions import CreditsError, InvalidInput
from .models import CreditAccount, CreditPackage, Order, PaymentEvent, PaymentSettings, Plan
from .reasons import Reason

log = logging.getLogger(__name__)

ORDER_TTL = timezone.timedelta(days=3)


class PaymentUnavailable(CreditsError):
    code, status = "PROVIDER_ERROR", 502
    default_message = gettext_lazy("The payment provider is not answering. Please try again in a few minutes.")


def _order_number() -> str:
    return f"MODO-{timezone.now():%y%m%d}-{secrets.token_hex(3).upper()}"


def order_create(*, user, package: CreditPackage | None = None, plan: Plan | None = None, billing_cycle: str = "monthly") -> Order:
    """A pending order for a package or a paid plan. With Midtrans configured, the Snap
    transaction is created after the order row is committed (no transaction around the call)."""
    if (package is None) == (plan is None):
        raise InvalidInput(_("Choose either a credit package or a plan."))
    account = ledger.credit_account_open(user=user)
    if package is not None:
        if not package.is_active:
            raise InvalidInput(_("This package is no longer offered."))
        amount, currency, credits, cycle = package.price, package.currency, package.credits, ""
    else:
        if billing_cycle not in CreditAccount.Cycle.values:
            raise InvalidInput(_("Choose monthly or yearly billing."))
        amount = plan.price_yearly if billing_cycle == "yearly" else plan.price_monthly
        if plan.is_trial or not plan.is_public or not amount:
            raise InvalidInput(_("This plan cannot be bought online; contact us."))
        currency, credits, cycle = plan.currency, plan.credits_per_cycle, billing_cycle
    order = Order.objects.create(
        number=_order_number(), account=account, user=user, package=package, plan=plan, billing_cycle=cycle,
        credits=credits, amount=amount, currency=currency, expires_at=timezone.now() + ORDER_TTL,
        gateway=Order.Gateway.MIDTRANS if midtrans.enabled() else Order.Gateway.MANUAL,
    )
    if order.gateway == Order.Gateway.MIDTRANS:
        gross = midtrans.idr_amount(Decimal(amount), currency)
        try:
            snap = midtrans.create_transaction(
                order_id=order.number, gross_amount=gross, item_name=order.item_name, email=user.email,
                name=user.get_short_name(), finish_url=absolute_url(reverse("credits:subscription")),
            )
        except midtrans.MidtransError as exc:
            log.warning("midtrans create failed for %s: %s", order.number, exc)
            Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED, note="Payment provider unavailable")
            raise PaymentUnavailable() from exc
        Order.objects.filter(pk=order.pk).update(
            gateway_reference=snap["token"], payment_url=snap["redirect_url"], gateway_amount=f"{gross}.00"
        )
        order.refresh_from_db()
    return order


def whatsapp_link(order: Order, payment: PaymentSettings | None = None) -> str:
    """wa.me with the order number, what it buys and the amount already typed (in the reader's
    language); "" when no WhatsApp number is set."""
    payment = payment or PaymentSettings.load()
    number = payment.whatsapp_international
    if not number:
        return ""
    text = _("Hi %(name)s, I would like to pay order %(number)s: %(item)s, %(amount)s.") % {
        "name": payment.contact_name or "MODO", "number": order.number, "item": order_item_label(order),
        "amount": price_label(order.amount, order.currency)}
    return f"https://wa.me/{number}?text={urlquote(text)}"


def order_item_label(order: Order) -> str:
    """What the order buys, as templates/credits/_order_item.html says it."""
    if order.package_id:
        return _(order.package.name)
    return _("%(plan)s plan, %(cycle)s") % {"plan": order.plan.name, "cycle": order.get_billing_cycle_display().lower()}


def price_label(amount, currency: str) -> str:
    """As templates/credits/_price.html writes a price: "$15", "$4.99", "150000 IDR"."""
    shown = floatformat(amount, "-2g")
    return f"${shown}" if currency == "USD" else f"{shown} {currency}"


def credits_purchase_apply(*, order: Order) -> bool:
    """Grants what a paid order bought, once. Returns True only for the call that applied it."""
    with transaction.atomic():
        claimed = Order.objects.filter(pk=order.pk, status=Order.Status.PAID, applied_at__isnull=True).update(
            applied_at=timezone.now()
        )
        if not claimed:
            return False
        order = Order.objects.select_related("account__plan", "package", "plan").get(pk=order.pk)
        account = order.account
        renewal = (order.plan_id == account.plan_id and account.plan_expires_at
                   and account.plan_expires_at > timezone.now())
        if renewal:
            ledger.account_plan_renew(account=account, billing_cycle=order.billing_cycle,
                                        key=f"order:{order.public_id}")
        elif order.plan_id:
            ledger.account_plan_change(
                account=account, plan=order.plan, billing_cycle=order.billing_cycle, key=f"order:{order.public_id}",
                reason=Reason("order_plan", plan=order.plan.name, number=order.number),
            )
        else:
            if account.plan.is_trial:
                # Buying credits ends the trial: the creator becomes a Free-plan customer.
                free = Plan.objects.get(code="free")
                ledger.account_plan_change(
                    account=account, plan=free, key=f"order-trial-end:{order.public_id}",
                    reason=Reason("trial_ended_by_order", number=order.number, plan=free.name),
                )
            ledger.credits_grant(
                account=account, amount=order.credits, bucket=ledger.Bucket.PURCHASED, kind=ledger.Kind.PURCHASE,
                idempotency_key=f"order:{order.public_id}", reference=order,
                reason=Reason("order", number=order.number),
                metadata={"url": reverse("credits:order", args=[order.public_id])},
            )
        if order.account.user_id:
            notices.order_notify_on_commit(order.pk)
    return True


def order_mark_paid(*, order: Order, gateway_reference: str = "") -> bool:
    """Marks a pending (or lapsed) order paid and applies it. Safe to repeat."""
    fields = {"status": Order.Status.PAID, "paid_at": timezone.now()}
    if gateway_reference:
        fields["gateway_reference"] = gateway_reference
    Order.objects.filter(pk=order.pk, status__in=[Order.Status.PENDING, Order.Status.EXPIRED]).update(**fields)
    return credits_purchase_apply(order=order)


def order_cancel(*, order: Order, status: str = Order.Status.CANCELLED) -> bool:
    """Only a pending order can be cancelled or expired; a paid one stays paid."""
    with transaction.atomic():
        changed = bool(Order.objects.filter(pk=order.pk, status=Order.Status.PENDING).update(status=status))
        if changed and status == Order.Status.EXPIRED:
            notices.order_notify_on_commit(order.pk)
    return changed


def orders_expire_stale(*, now=None) -> int:
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(Order.objects.filter(status=Order.Status.PENDING, expires_at__lte=now,
                                        gateway=Order.Gateway.MANUAL).values_list("pk", flat=True))
        expired = Order.objects.filter(pk__in=ids, status=Order.Status.PENDING).update(status=Order.Status.EXPIRED)
        for order_id in ids:
            notices.order_notify_on_commit(order_id)
    return expired


PAID_STATUSES = {"settlement"}
FAILED_STATUSES = {"deny": Order.Status.CANCELLED, "cancel": Order.Status.CANCELLED, "expire": Order.Status.EXPIRED,
                   "failure": Order.Status.CANCELLED}


def midtrans_notification(*, payload: dict) -> tuple[int, str]:
    """Handles one Midtrans HTTP notification. Returns (HTTP status, outcome). Credits move only
    for a valid signature, an order that was sent to Midtrans, the amount and currency it was sent
    for, and a settled (or accepted captured) payment. Every notification is recorded."""
    valid = midtrans.signature_valid(payload)
    order = Order.objects.filter(number=str(payload.get("order_id", ""))).first()
    event = PaymentEvent.objects.create(
        gateway="midtrans", order=order, event_type=str(payload.get("transaction_status", ""))[:40],
        signature_valid=valid, payload=payload,
    )

    def done(status: int, outcome: str):
        PaymentEvent.objects.filter(pk=event.pk).update(outcome=outcome)
        return status, outcome

    if not valid:
        return done(403, "bad_signature")
    if order is None:
        return done(404, "unknown_order")
    if order.gateway != Order.Gateway.MIDTRANS or not order.gateway_amount:
        # A manual order (or one Midtrans never got) is not Midtrans's to settle, whatever it signs.
        return done(409, "wrong_gateway")
    if str(payload.get("gross_amount")) != order.gateway_amount or str(payload.get("currency", "IDR")).upper() != "IDR":
        return done(422, "amount_mismatch")
    status = payload.get("transaction_status")
    fraud = payload.get("fraud_status", "accept")
    if status in PAID_STATUSES or (status == "capture" and fraud == "accept"):
        applied = order_mark_paid(order=order, gateway_reference=str(payload.get("transaction_id", ""))[:120])
        return done(200, "applied" if applied else "already_applied")
    if status in FAILED_STATUSES:
        order_cancel(order=order, status=FAILED_STATUSES[status])
        return done(200, "closed")
    return done(200, "ignored")
