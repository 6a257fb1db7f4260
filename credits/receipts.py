"""Receipts: one numbered receipt per paid order, issued in the transaction that applies the
order (so the numbers have no gaps), shown as a page and a PDF, emailed once after commit."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from modo.http import absolute_url
from modo.pdf import html_to_pdf

from .models import Order, Receipt, ReceiptCounter

log = logging.getLogger(__name__)


def receipt_issue(*, order: Order) -> Receipt:
    """The order's receipt, made once: called inside the transaction that applies the order. The
    counter row's lock orders receipts, and a rollback gives the number back."""
    if existing := Receipt.objects.filter(order=order).first():
        return existing
    ReceiptCounter.objects.get_or_create(pk=1)
    ReceiptCounter.objects.filter(pk=1).update(last=F("last") + 1)
    number = ReceiptCounter.objects.select_for_update().get(pk=1).last
    user = order.user
    with translation.override("en"):
        item = order_item(order)
    receipt = Receipt.objects.create(
        order=order, number=number, buyer_name=user.get_full_name()[:150], buyer_email=user.email,
        item=item[:160], amount=order.amount, currency=order.currency, gateway=order.gateway,
        gateway_reference=order.gateway_reference or order.checkout_reference, issued_at=order.paid_at or timezone.now(),
    )
    from .tasks import receipt_email  # tasks import services

    transaction.on_commit(lambda: receipt_email.delay(receipt.pk))
    return receipt


def order_item(order: Order) -> str:
    if order.package_id:
        shown = _("%(credits)s credits") % {"credits": order.credits}
        name = order.package.name
        return shown if name == f"{order.credits} credits" else f"{shown} ({name})"
    return _("%(plan)s plan, %(cycle)s") % {"plan": order.plan.name, "cycle": order.get_billing_cycle_display().lower()}


def receipt_html(*, receipt: Receipt, for_pdf: bool = False, request=None) -> str:
    return render_to_string("credits/receipt_document.html", {
        "receipt": receipt, "order": receipt.order, "for_pdf": for_pdf}, request=request)


def receipt_pdf(*, receipt: Receipt) -> bytes:
    return html_to_pdf(receipt_html(receipt=receipt, for_pdf=True))


def receipt_filename(receipt: Receipt) -> str:
    return f"modo-receipt-{receipt.label}.pdf"


def receipt_email_send(*, receipt_id: int) -> bool:
    """Emails the receipt (its PDF attached) to the buyer once; a second delivery of the task sends
    nothing, and a failed send is given back to be retried."""
    claimed = Receipt.objects.filter(pk=receipt_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    receipt = Receipt.objects.select_related("order__user", "order__package", "order__plan").get(pk=receipt_id)
    language = receipt.order.user.locale or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            message = EmailMessage(
                subject=_("Your MODO receipt %(label)s") % {"label": receipt.label},
                body=render_to_string("emails/receipt.txt", {
                    "receipt": receipt,
                    "url": absolute_url(reverse("credits:receipt", args=[receipt.order.public_id]))}),
                from_email=settings.DEFAULT_FROM_EMAIL, to=[receipt.buyer_email],
            )
            message.attach(receipt_filename(receipt), receipt_pdf(receipt=receipt), "application/pdf")
            message.send()
    except Exception:
        Receipt.objects.filter(pk=receipt_id).update(emailed_at=None)
        raise
    return True
