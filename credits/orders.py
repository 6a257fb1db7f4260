"""Orders and payments. A paid order is applied (credits granted and/or plan switched) exactly
once, whoever marks it paid and however often: the claim is a conditional update and the
ledger entry has a unique key."""

import logging
import secrets
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote as urlquote

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modo.http import absolute_url

from . import gateways, ledger, notices, receipts, selectors
from .exceptions import CreditsError, InvalidInput
from .models import CreditAccount, CreditPackage, Order, PaymentSettings, Plan
from .reasons import Reason

log = logging.getLogger(__name__)

ORDER_TTL = timezone.timedelta(days=3)


class PaymentUnavailable(CreditsError):
    code, status = "PROVIDER_ERROR", 502
    default_message = gettext_lazy("The payment provider is not answering. Please try again in a few minutes.")


def _order_number() -> str:
    return f"MODO-{timezone.now():%y%m%d}-{secrets.token_hex(3).upper()}"


def order_price(*, package: CreditPackage | None = None, plan: Plan | None = None, billing_cycle: str = "",
                currency: str) -> Decimal:
    """The item's price in `currency` (the plan/package data: its own price, or its IDR price for
    IDR; missing, the price converted at MIDTRANS_IDR_RATE)."""
    if package is not None:
        base, base_currency, idr = package.price, package.currency, package.price_idr
    else:
        yearly = billing_cycle == "yearly"
        base = plan.price_yearly if yearly else plan.price_monthly
        base_currency, idr = plan.currency, plan.price_yearly_idr if yearly else plan.price_monthly_idr
    currency, rate = currency.upper(), Decimal(settings.MIDTRANS_IDR_RATE)
    if currency == base_currency.upper():
        return Decimal(base)
    if currency == "IDR":
        return Decimal(idr) if idr else (Decimal(base) * rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    if base_currency.upper() == "IDR":
        return (Decimal(base) / rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    raise InvalidInput(_("This item has no price in %(currency)s.") % {"currency": currency})


def _return_url(order: Order, base_url: str) -> str:
    path = reverse("credits:order", args=[order.public_id])
    return base_url.rstrip("/") + path if base_url else absolute_url(path)


def order_create(*, user, package: CreditPackage | None = None, plan: Plan | None = None, billing_cycle: str = "monthly",
                 gateway: str | None = None, base_url: str = "", account: CreditAccount | None = None) -> Order:
    """A pending order for a package or a paid plan, to pay through `gateway` (one the admin
    offers, or "manual"; by default Midtrans when it is configured, else manual transfer), in that
    gateway's currency. The gateway's checkout is created after the order row is committed (no
    transaction around the call); when the gateway fails the order is cancelled and
    PaymentUnavailable raised. The gateway sends the creator back to the order's page on
    `base_url` (the host the request came to; SITE_URL without one). For the user's account, or
    the given one (a team's: the caller checked that the user may buy for it)."""
    if (package is None) == (plan is None):
        raise InvalidInput(_("Choose either a credit package or a plan."))
    if gateway is None:
        gateway = Order.Gateway.MIDTRANS if selectors.gateway_config("midtrans") else Order.Gateway.MANUAL
    config = None
    if gateway != Order.Gateway.MANUAL:
        config = selectors.gateway_config(gateway) if gateway in gateways.CODES else None
        if config is None:
            raise InvalidInput(_("This payment method is not available. Choose another one."))
        if plan is not None and getattr(gateways.registry()[gateway], "PACKAGES_ONLY", False):
            raise InvalidInput(_("This payment method is for credit packs only. Choose another one for a plan."))
    account = account or ledger.credit_account_open(user=user)
    if package is not None:
        if not package.is_active:
            raise InvalidInput(_("This package is no longer offered."))
        currency, credits, cycle = package.currency, package.credits, ""
    else:
        if billing_cycle not in CreditAccount.Cycle.values:
            raise InvalidInput(_("Choose monthly or yearly billing."))
        listed = plan.price_yearly if billing_cycle == "yearly" else plan.price_monthly
        if plan.is_trial or not plan.is_public or not listed:
            raise InvalidInput(_("This plan cannot be bought online; contact us."))
        currency, credits, cycle = plan.currency, plan.credits_per_cycle, billing_cycle
    if config is not None:
        currency = config.currency
    amount = order_price(package=package, plan=plan, billing_cycle=cycle, currency=currency)
    order = Order.objects.create(
        number=_order_number(), account=account, user=user, package=package, plan=plan, billing_cycle=cycle,
        credits=credits, amount=amount, currency=currency, expires_at=timezone.now() + ORDER_TTL, gateway=gateway,
    )
    if config is not None:
        try:
            checkout = gateways.registry()[gateway].checkout_create(
                order=order, config=config, return_url=_return_url(order, base_url))
        except gateways.GatewayError as exc:
            log.warning("%s checkout failed for %s: %s", gateway, order.number, exc)
            Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED, note="Payment provider unavailable")
            raise PaymentUnavailable() from exc
        Order.objects.filter(pk=order.pk).update(
            checkout_reference=checkout.reference[:120], payment_url=checkout.redirect_url, gateway_amount=checkout.amount)
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
        receipts.receipt_issue(order=order)
        if order.account.user_id:
            notices.order_notify_on_commit(order.pk)
    return True


PAYABLE = [Order.Status.PENDING, Order.Status.EXPIRED, Order.Status.FAILED]


def order_mark_paid(*, order: Order, gateway_reference: str = "") -> bool:
    """Marks a pending (or lapsed, or failed: the money arrived after all) order paid and applies
    it. Safe to repeat; a cancelled or refunded order is never paid."""
    fields = {"status": Order.Status.PAID, "paid_at": timezone.now()}
    if gateway_reference:
        fields["gateway_reference"] = gateway_reference
    Order.objects.filter(pk=order.pk, status__in=PAYABLE).update(**fields)
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

