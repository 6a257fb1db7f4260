"""Paying is never a dead end: a manual order shows the transfer details the superadmin set in
the admin, the order number to quote and WhatsApp with the order already typed."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from credits import orders
from credits.models import CreditPackage, PaymentSettings


@pytest.fixture
def order(user):
    return orders.order_create(user=user, package=CreditPackage.objects.get(code="credits-200"))


def whatsapp_text(url: str) -> str:
    return parse_qs(urlsplit(url).query)["text"][0]


@pytest.mark.django_db
def test_the_seeded_contact_is_galih_on_whatsapp():
    payment = PaymentSettings.load()

    assert (payment.whatsapp_number, payment.contact_name) == ("081319504441", "Galih Praz")
    assert payment.whatsapp_international == "6281319504441"


@pytest.mark.django_db
def test_settings_come_back_with_the_defaults_when_the_row_is_gone():
    PaymentSettings.objects.all().delete()

    assert PaymentSettings.load().whatsapp_international == "6281319504441"


@pytest.mark.django_db
def test_whatsapp_link_prefills_order_number_package_and_amount(order):
    url = orders.whatsapp_link(order)

    assert url.startswith("https://wa.me/6281319504441?text=")
    assert " " not in url  # encoded
    text = whatsapp_text(url)
    assert order.number in text and "200 credits" in text and "Galih Praz" in text
    assert f"{order.amount:g}" in text or f"${order.amount:g}" in text


@pytest.mark.django_db
def test_whatsapp_message_is_in_the_readers_language(order):
    with translation.override("id"):
        text = whatsapp_text(orders.whatsapp_link(order))

    assert "200 kredit" in text and order.number in text


@pytest.mark.django_db
def test_order_page_shows_the_transfer_details_set_in_the_admin(client, user, order):
    PaymentSettings.objects.filter(pk=1).update(
        bank_name="BCA", bank_account_number="1234567890", bank_account_holder="PT Modo Kreatif",
        ewallet_name="GoPay", ewallet_number="081319504441", instructions="Transfers are checked twice a day.")
    client.force_login(user)

    html = client.get(reverse("credits:order", args=[order.public_id])).content.decode()

    for shown in ("BCA", "1234567890", "PT Modo Kreatif", "GoPay", "Transfers are checked twice a day.",
                  order.number, "Galih Praz", 'id="whatsapp-link"', "https://wa.me/6281319504441?text="):
        assert shown in html, shown


@pytest.mark.django_db
def test_order_page_without_transfer_details_says_whom_to_ask(client, user, order):
    client.force_login(user)

    html = client.get(reverse("credits:order", args=[order.public_id])).content.decode()

    assert 'id="payment-accounts-missing"' in html and "Galih Praz" in html
    assert 'id="whatsapp-link"' in html


@pytest.mark.django_db
def test_without_a_whatsapp_number_the_order_page_offers_the_contact_form(client, user, order, settings):
    settings.PAYMENT_WHATSAPP_NUMBER = ""
    PaymentSettings.objects.filter(pk=1).update(whatsapp_number="")
    client.force_login(user)

    html = client.get(reverse("credits:order", args=[order.public_id])).content.decode()

    assert 'id="whatsapp-link"' not in html and reverse("contact") in html


@pytest.mark.django_db
def test_superadmin_edits_the_one_payment_settings_row(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:credits_paymentsettings_changelist"))
    url = reverse("admin:credits_paymentsettings_change", args=[1])
    assert listing.status_code == 200 and url in listing.content.decode()
    assert client.get(reverse("admin:credits_paymentsettings_add")).status_code == 403  # one row only
    form = client.get(url)
    assert form.status_code == 200 and "Galih Praz" in form.content.decode()

    response = client.post(url, {
        "bank_name": "Mandiri", "bank_account_number": "9988776655", "bank_account_holder": "Galih Praz",
        "ewallet_name": "", "ewallet_number": "", "ewallet_holder": "", "whatsapp_number": "0812 1111 2222",
        "contact_name": "Galih", "instructions": ""})

    assert response.status_code == 302
    payment = PaymentSettings.load()
    assert (payment.bank_name, payment.whatsapp_international) == ("Mandiri", "6281211112222")
    assert PaymentSettings.objects.count() == 1


@pytest.mark.django_db
def test_a_missing_row_is_back_with_the_defaults_when_the_admin_list_opens(client):
    PaymentSettings.objects.all().delete()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:credits_paymentsettings_changelist"))

    assert reverse("admin:credits_paymentsettings_change", args=[1]) in listing.content.decode()
    assert PaymentSettings.objects.get().contact_name == "Galih Praz"
