"""The app shell's plan/balance summary is cached per user (5 minutes at most) and dropped by every
ledger write once it commits — the hot path (hold, capture, release) and the other writers alike."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credits import ledger, selectors
from credits.selectors import credit_account_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    client.get(reverse("dashboard"))  # the session's first request settles its own bookkeeping
    cache.delete(selectors._shell_summary_key(user_id=user.pk))
    return client


def badge(client) -> int:
    page = client.get(reverse("dashboard")).content.decode()
    return int(page.split('id="credit-badge"')[1].split('data-available="')[1].split('"')[0])


def queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("dashboard"))
    return len(captured)


def test_the_summary_is_read_once_then_served_from_the_cache(signed_in, user):
    first = queries(signed_in)
    second = queries(signed_in)
    assert second == first - 1  # the account (with its plan) is not read again
    assert cache.get(selectors._shell_summary_key(user_id=user.pk))["available"] == credit_account_for(user=user).available


def test_a_ledger_write_drops_the_cached_summary_once_it_commits(signed_in, user, django_capture_on_commit_callbacks):
    account = credit_account_for(user=user)
    before = badge(signed_in)
    key = selectors._shell_summary_key(user_id=user.pk)

    with django_capture_on_commit_callbacks(execute=True):
        ledger.credits_grant(account=account, amount=40, reason="gift", idempotency_key="gift-1")
        assert cache.get(key) is not None  # not before the commit

    assert cache.get(key) is None
    assert badge(signed_in) == before + 40

    with django_capture_on_commit_callbacks(execute=True):  # the hot path announces too
        hold = ledger.credits_hold(account=account, amount=15, reference="generation:x", idempotency_key="hold-x")
    assert cache.get(key) is None
    assert badge(signed_in) == before + 25
    with django_capture_on_commit_callbacks(execute=True):
        ledger.credits_release(hold=hold)
    assert badge(signed_in) == before + 40


def test_a_rolled_back_write_keeps_the_cached_summary(signed_in, user, django_capture_on_commit_callbacks):
    account = credit_account_for(user=user)
    badge(signed_in)
    key = selectors._shell_summary_key(user_id=user.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            ledger.credits_grant(account=account, amount=40, reason="gift", idempotency_key="gift-2")
            raise RuntimeError
    assert callbacks == [] and cache.get(key) is not None
