import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from credits import ledger


@pytest.mark.django_db
def test_user_page_lists_recent_ledger_entries_with_signed_amounts(client, user):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    account = ledger.credit_account_open(user=user)
    ledger.credits_admin_adjust(account=account, delta=30, reason="Festival prize", actor=None,
                                idempotency_key="t:grant")
    ledger.credits_admin_adjust(account=account, delta=-5, reason="Duplicate order", actor=None,
                                idempotency_key="t:deduct")

    response = client.get(reverse("admin:accounts_user_change", args=[user.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "+30 → " in html and "Festival prize" in html
    assert "-5 → " in html and "Duplicate order" in html
