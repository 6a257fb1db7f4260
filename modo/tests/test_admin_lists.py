"""The admin lists of the tables that grow with the users (issue 23, bench figure 7): no COUNT of
the whole table (a bounded count, then the planner's estimate), no date hierarchy nor facet
counts, an ordering an index serves — and they still list, filter and page as before, on PostgreSQL and on SQLite."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import UserFactory
from aiproviders.models import AIModel, UsageLog
from credits.models import Hold, LedgerEntry
from media.models import MediaAsset
from modo.admin import EstimatedCountPaginator, LargeListAdmin
from studio.models import Character, Draft, Generation, Project, Scene

pytestmark = pytest.mark.django_db
GROWING = [User, LedgerEntry, Hold, UsageLog, MediaAsset, Generation, Draft, Project, Character, Scene]


@pytest.fixture
def root(client):
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", GROWING, ids=lambda m: m.__name__)
def test_a_growing_list_counts_at_most_a_bound_and_has_no_date_hierarchy(model):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, LargeListAdmin)
    assert model_admin.paginator is EstimatedCountPaginator and model_admin.show_full_result_count is False
    assert not model_admin.date_hierarchy and model_admin.show_facets is admin.ShowFacets.NEVER


@pytest.mark.requires_postgres
def test_a_list_over_the_bound_is_paged_on_the_planners_estimate(root, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 3)
    for n in range(7):
        UserFactory(email=f"member{n}@example.com")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")

    with CaptureQueriesContext(connection) as queries:
        response = root.get("/admin/accounts/user/")

    assert response.status_code == 200
    sql = [q["sql"] for q in queries]
    assert not [s for s in sql if s.startswith("SELECT COUNT(*)") and "LIMIT" not in s]  # nothing counted in full
    assert any(s.startswith("EXPLAIN") for s in sql)
    assert response.context["cl"].result_count >= 4  # the planner's estimate: about the 8 users
    assert "member6@example.com" in response.content.decode().replace("<wbr>", "")  # (breaks allowed in addresses)


def test_a_list_under_the_bound_is_counted_exactly(root):
    for n in range(4):
        UserFactory(email=f"member{n}@example.com")

    response = root.get("/admin/accounts/user/", {"q": "member"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 4
    assert response.context["cl"].full_result_count is None  # no "(N total)": no second count


def test_the_user_list_is_newest_first_with_its_live_projects_counted(root):
    old, new = UserFactory(email="old@example.com"), UserFactory(email="new@example.com")
    User.objects.filter(pk=old.pk).update(date_joined=new.date_joined.replace(year=2020))
    Project.objects.create(owner=new, title="A", slug="a")
    Project.objects.create(owner=new, title="B", slug="b")
    Project.objects.create(owner=new, title="Gone", slug="gone", deleted_at=new.date_joined)

    response = root.get("/admin/accounts/user/")

    rows = list(response.context["cl"].result_list)
    assert rows.index(User.objects.get(email="new@example.com")) < rows.index(User.objects.get(email="old@example.com"))
    assert {u.email: u.project_count for u in rows}["new@example.com"] == 2
    assert {u.email: u.project_count for u in rows}["old@example.com"] == 0
    assert root.get("/admin/accounts/user/", {"o": "-4"}).status_code == 200  # sorted by the projects column


@pytest.mark.parametrize("url", ["/admin/credits/ledgerentry/", "/admin/aiproviders/usagelog/?kind=text",
                                 "/admin/media/mediaasset/", "/admin/studio/generation/?status__exact=succeeded",
                                 "/admin/studio/draft/", "/admin/studio/character/", "/admin/credits/hold/"])
def test_the_growing_lists_still_show(root, url):
    assert root.get(url).status_code == 200


def cells_of(html: str) -> list[str]:
    """The list's rows as read: each row's words, their markup left out."""
    body = html.replace("<wbr>", "").split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]*>", " ", row).split()) for row in body.split("<tr")[1:]]


def test_the_ledger_and_ai_model_lists_group_their_values_and_keep_every_one(root):
    from credits import ledger
    from credits.selectors import credit_account_for

    account = credit_account_for(user=UserFactory(email="ada@example.com"))
    ledger.credits_grant(account=account, amount=30, idempotency_key="t:grant", reason="Thanks")
    ledger.credits_hold(account=account, amount=7, reference="draft:t-1", idempotency_key="t:hold")

    response = root.get("/admin/credits/ledgerentry/")
    headers = [str(h["text"]) for h in admin_list.result_headers(response.context["cl"])]
    assert headers == ["When", "Account", "Amount", "Balance after", "Reason"]
    hold_row = next(row for row in cells_of(response.content.decode()) if "draft:t-1" in row)
    account.refresh_from_db()
    assert "ada@example.com" in hold_row and "0 Hold" in hold_row
    assert f"{account.balance} {account.held} held" in hold_row and account.held == 7  # balance and held after

    response = root.get("/admin/aiproviders/aimodel/")
    headers = [str(h["text"]) for h in admin_list.result_headers(response.context["cl"])]
    assert headers[1:] == ["Model", "Type", "Capabilities", "Credits", "fallback priority", "enabled", "Response cache"]
    model = AIModel.objects.select_related("provider").filter(is_default=True).first()
    row = next(row for row in cells_of(response.content.decode()) if f"{model.provider.name} · {model.model_id}" in row)
    assert f"{model.get_type_display()} {model.get_tier_display()} · default" in row
    assert f"USD {model.get_cost_unit_display()}" in row
