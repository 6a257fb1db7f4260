"""The credit history reads like a statement: one line per charge with its state, what it was
for in the reader's language, the amount and balance after, filters in the URL and a CSV."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from credits import ledger, statement
from credits.models import LedgerEntry

LARAS = {"label": "Character image", "subject": "Laras Wening", "url": "/studio/characters/x/"}
SYNOPSIS = {"label": "Text draft", "subject": "The Ember Kite", "detail": "synopsis", "url": "/studio/p/story/"}


def hold(account, amount, description=None):
    key = f"generation:{uuid.uuid4()}"
    return ledger.credits_hold(account=account, amount=amount, reference=key, idempotency_key=key,
                               description=description)


@pytest.fixture
def account(user):
    account = ledger.credit_account_open(user=user)  # the trial: 20 welcome credits
    ledger.credits_grant(account=account, amount=100, idempotency_key="gift")
    return account


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_hold_and_its_settlement_read_as_one_line_with_its_state(signed_in, account):
    ledger.credits_capture(hold=hold(account, 8, LARAS), amount=8)
    ledger.credits_release(hold=hold(account, 3, SYNOPSIS))
    hold(account, 5, LARAS)  # still running

    lines = signed_in.get(reverse("credits:history")).context["lines"]

    pending, returned, charged, gift, welcome = lines
    assert (pending.state, pending.amount, pending.description) == ("pending", -5, "Character image · Laras Wening")
    assert (returned.state, returned.amount) == ("returned", 0)
    assert returned.description == "Text draft · The Ember Kite · Synopsis" and returned.url == "/studio/p/story/"
    assert (charged.state, charged.amount, charged.balance_after) == ("charged", -8, 112)
    assert charged.url == "/studio/characters/x/"
    assert (gift.amount, welcome.description) == (100, "Welcome credits · Trial")
    assert LedgerEntry.objects.filter(account=account).count() == 7  # five lines on the page


@pytest.mark.django_db
def test_the_page_shows_descriptions_states_and_links(signed_in, account):
    ledger.credits_capture(hold=hold(account, 8, LARAS), amount=6)

    html = signed_in.get(reverse("credits:history")).content.decode()

    assert '<a class="statement__desc" href="/studio/characters/x/">Character image · Laras Wening</a>' in html
    assert "statement-state--charged" in html and "of 8 reserved" in html


@pytest.mark.django_db
def test_reasons_are_shown_in_the_readers_language(account):
    welcome = LedgerEntry.objects.get(account=account, idempotency_key=f"signup:{account.public_id}")
    assert welcome.reason == "Welcome credits · Trial"  # stored in English for the admin

    with translation.override("id"):
        assert "Uji coba" in statement.describe(welcome)
        assert statement.describe(LedgerEntry(kind="hold", metadata=LARAS)).startswith("Gambar karakter")


@pytest.mark.django_db
def test_entries_written_before_reason_codes_stay_readable(account):
    signup = f"signup:{account.public_id}"
    LedgerEntry.objects.filter(idempotency_key=signup).update(metadata={}, reason="Welcome credits (Trial)")
    hold(account, 2)  # no description: a hold from before descriptions

    entries = {e.idempotency_key: e for e in statement.statement_entries(account=account)}
    by_kind = {e.kind: e for e in entries.values()}

    assert statement.describe(entries[signup]) == "Welcome credits (Trial)"
    assert statement.describe(entries["gift"]) == "Grant"  # no reason at all: its kind
    assert statement.line(by_kind["hold"]).description == "AI generation"


@pytest.mark.django_db
def test_filters_by_kind_and_month_live_in_the_url(signed_in, account):
    ledger.credits_capture(hold=hold(account, 4, LARAS), amount=4)
    LedgerEntry.objects.filter(account=account, idempotency_key="gift").update(
        created_at=timezone.now() - timedelta(days=62))
    this_month = f"{timezone.localtime():%Y-%m}"

    charges = signed_in.get(reverse("credits:history"), {"kind": "charge"}).context["lines"]
    month = signed_in.get(reverse("credits:history"), {"month": this_month}).context["lines"]
    bad = signed_in.get(reverse("credits:history"), {"month": "2026-13"})

    assert [line.state for line in charges] == ["charged"]
    assert {line.entry.idempotency_key for line in month} >= {"signup:" + str(account.public_id)}
    assert "gift" not in {line.entry.idempotency_key for line in month}
    assert bad.status_code == 200 and bad.context["form"].errors["month"]


@pytest.mark.django_db
def test_csv_download_has_the_same_filtered_lines(signed_in, account):
    ledger.credits_capture(hold=hold(account, 4, {**LARAS, "subject": "=HYPERLINK(evil)"}), amount=4)
    ledger.credits_release(hold=hold(account, 3, SYNOPSIS))

    response = signed_in.get(reverse("credits:history_csv"), {"kind": "charge"})

    assert response["Content-Type"].startswith("text/csv")
    assert "modo-credits-charge.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Date", "Kind", "Description"]
    assert [(r[2], r[3], r[4]) for r in rows[1:]] == [
        ("Text draft · The Ember Kite · Synopsis", "Returned", "0"),
        ("Character image · =HYPERLINK(evil)", "Charged", "-4"),  # not at a cell's start: harmless
    ]


@pytest.mark.django_db
def test_history_page_queries_stay_the_same_for_3_or_25_lines(signed_in, account):
    def charges(n):
        for _ in range(n):
            ledger.credits_capture(hold=hold(account, 1, LARAS), amount=1)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(reverse("credits:history")).status_code == 200
        return len(captured)

    charges(1)
    signed_in.get(reverse("credits:history"))
    few = queries()
    charges(24)
    assert queries() == few


@pytest.mark.django_db
def test_a_refund_names_the_charge_it_gives_back(account):
    charged = ledger.credits_capture(hold=hold(account, 6, LARAS), amount=6)

    entry = ledger.credits_refund(account=account, reference=charged.reference)

    line = statement.line(entry)
    assert (line.description, line.amount, line.url) == ("Refund · Character image · Laras Wening", 6, LARAS["url"])


def test_csv_text_cells_never_start_a_formula():
    assert statement._cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert statement._cell("@SUM(A1)") == "'@SUM(A1)" and statement._cell("Laras Wening") == "Laras Wening"
