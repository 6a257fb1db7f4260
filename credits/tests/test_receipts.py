"""Each paid order gets one numbered receipt (numbers in sequence, no gaps), a page and a PDF only
its owner sees, listed on the subscription page and emailed once after the payment commits."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from credits import orders, receipts
from credits.models import CreditPackage, Receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(db):
    return CreditPackage.objects.get(code="credits-200")


def paid_order(user, package):
    order = orders.order_create(user=user, package=package)
    orders.order_mark_paid(order=order, gateway_reference="TRANSFER-77")
    order.refresh_from_db()
    return order


def test_paid_orders_get_receipts_numbered_in_sequence_once(user, package, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        first = paid_order(user, package)
        second = paid_order(UserFactory(), package)
        orders.order_mark_paid(order=first)  # again: no second receipt

    numbers = list(Receipt.objects.order_by("number").values_list("number", flat=True))
    assert numbers[1] == numbers[0] + 1 and len(numbers) == 2
    receipt = first.receipt
    assert (receipt.buyer_email, receipt.amount, receipt.currency, receipt.gateway_reference) == (
        user.email, first.amount, "USD", "TRANSFER-77")
    assert "200" in receipt.item and second.receipt.number == receipt.number + 1


def test_an_unpaid_order_has_no_receipt_and_its_receipt_page_leads_to_the_order(client, user, package):
    order = orders.order_create(user=user, package=package)
    client.force_login(user)

    response = client.get(reverse("credits:receipt", args=[order.public_id]))

    assert response.status_code == 302 and response.url == reverse("credits:order", args=[order.public_id])
    assert not Receipt.objects.exists()


def test_the_receipt_page_and_pdf_show_the_purchase_to_its_owner_only(client, user, package):
    order = paid_order(user, package)
    client.force_login(user)

    html = client.get(reverse("credits:receipt", args=[order.public_id])).content.decode()
    pdf = client.get(reverse("credits:receipt_pdf", args=[order.public_id]))

    for shown in (order.receipt.label, user.email, order.number, "TRANSFER-77", "$14.99", "Manual transfer"):
        assert shown in html, shown
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and order.receipt.label in pdf["Content-Disposition"]
    client.force_login(UserFactory())
    assert client.get(reverse("credits:receipt", args=[order.public_id])).status_code == 404
    assert client.get(reverse("credits:receipt_pdf", args=[order.public_id])).status_code == 404


def test_the_subscription_page_lists_the_receipts(client, user, package):
    order = paid_order(user, package)
    client.force_login(user)

    html = client.get(reverse("credits:subscription")).content.decode()

    assert order.receipt.label in html and reverse("credits:receipt_pdf", args=[order.public_id]) in html


def test_the_receipt_is_emailed_once_after_the_payment_commits(user, package, celery_eager,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = paid_order(user, package)
        assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email] and order.receipt.label in message.subject
    assert order.number in message.body
    (name, content, mimetype), = message.attachments
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    assert receipts.receipt_email_send(receipt_id=order.receipt.pk) is False  # a second delivery sends nothing
    assert len(mail.outbox) == 1
