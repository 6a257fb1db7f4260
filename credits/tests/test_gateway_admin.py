"""The superadmin offers gateways in the admin: keys stored encrypted, shown masked, never echoed."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from credits import selectors
from credits.models import PaymentGateway

pytestmark = pytest.mark.django_db


def test_the_superadmin_offers_stripe_with_encrypted_keys(client, settings):
    """The gateways are seeded off; entering Stripe's keys and switching it on offers it."""
    settings.MIDTRANS_SERVER_KEY = ""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    seeded = PaymentGateway.objects.get(code="stripe")  # all four are seeded, switched off
    assert not seeded.enabled and selectors.gateways_offered() == []
    response = client.post(reverse("admin:credits_paymentgateway_change", args=[seeded.pk]), {
        "code": "stripe", "enabled": "on", "currency": "USD", "options": "{}", "sort_order": "30",
        "new_secret_key": "sk_test_SECRET1234", "new_webhook_secret": "whsec_HOOK5678"})

    assert response.status_code == 302
    row = PaymentGateway.objects.get(code="stripe")
    assert "sk_test" not in row.secret_key_encrypted and "whsec" not in row.webhook_secret_encrypted
    assert (row.secret_key(), row.webhook_secret()) == ("sk_test_SECRET1234", "whsec_HOOK5678")
    page = client.get(reverse("admin:credits_paymentgateway_change", args=[row.pk])).content.decode()
    assert "••••1234" in page and "••••5678" in page and "sk_test_SECRET1234" not in page
    assert "/api/v1/webhooks/stripe" in page
    config = selectors.gateway_config("stripe")
    assert (config.secret_key, config.currency, config.live_mode) == ("sk_test_SECRET1234", "USD", False)
    assert [g["code"] for g in selectors.gateways_offered()] == ["stripe"]


def test_saving_without_new_keys_keeps_them_and_clearing_removes_them(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    row = PaymentGateway.objects.get(code="xendit")
    change = reverse("admin:credits_paymentgateway_change", args=[row.pk])
    client.post(change, {"code": "xendit", "enabled": "on", "currency": "IDR", "options": "{}", "sort_order": "0",
                         "new_secret_key": "xnd_KEEP", "new_webhook_secret": "token"})
    form = {"code": "xendit", "enabled": "on", "live_mode": "on", "currency": "IDR", "options": "{}", "sort_order": "0"}

    client.post(change, form)
    row.refresh_from_db()
    assert row.secret_key() == "xnd_KEEP" and row.live_mode

    client.post(change, {**form, "clear_keys": "on"})
    row.refresh_from_db()
    assert (row.secret_key_encrypted, row.webhook_secret_encrypted) == ("", "")
    assert selectors.gateway_config("xendit") is None


def test_a_gateway_without_its_webhook_secret_is_not_offered(settings):
    from credits import services

    settings.MIDTRANS_SERVER_KEY = ""
    stripe = PaymentGateway.objects.get(code="stripe")
    PaymentGateway.objects.filter(pk=stripe.pk).update(enabled=True)
    services.payment_gateway_set_keys(gateway=PaymentGateway.objects.get(pk=stripe.pk), secret_key="sk_test_only")

    assert selectors.gateway_config("stripe") is None and selectors.gateways_offered() == []
