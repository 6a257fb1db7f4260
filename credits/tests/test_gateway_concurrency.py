"""50 deliveries of the same paid notification at once, per gateway, on PostgreSQL with real
threads: one ledger entry, one receipt, one event that owns the id, the others replays."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import respx
from django.db import connection
from django.test import Client

from accounts.tests.factories import UserFactory
from credits import orders
from credits.models import CreditPackage, LedgerEntry, PaymentEvent, Receipt

from .factories import assert_consistent
from .gateway_cases import CASES

pytestmark = [pytest.mark.requires_postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("seeded_defaults")]

WORKERS = 16  # PostgreSQL's default max_connections is 100; each thread holds one


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_50_concurrent_deliveries_of_one_paid_event_make_one_ledger_entry(case, settings):
    settings.MIDTRANS_SERVER_KEY = ""
    case.configure()
    user = UserFactory()
    with respx.mock() as mock:
        case.stub_checkout(mock)
        order = orders.order_create(user=user, package=CreditPackage.objects.get(code="credits-200"), gateway=case.code)
    body, headers = case.notification(order.number, case.amount_of(order))

    def deliver(_):
        try:
            return case.post(Client(), body, headers).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(deliver, range(50)))

    assert statuses == [200] * 50
    assert LedgerEntry.objects.filter(kind="purchase", account=order.account).count() == 1
    assert Receipt.objects.filter(order=order).count() == 1
    events = PaymentEvent.objects.filter(order=order)
    assert events.count() == 50 and events.filter(is_replay=False).count() == 1
    assert events.filter(outcome="applied").count() == 1
    assert_consistent(order.account)
