"""What the admin pages remember between requests (issue 23, bench figure 5): the user list's table
of rows, cached under a digest of what it shows (modo.admin.CachedRowsAdmin), and the app list of
the sidebar, remembered per language, permissions and page (modo.admin_site.navigation). Every
change shows at once; nothing is served to another language, time zone, query or viewer."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import Permission

from accounts.models import User
from accounts.tests.factories import UserFactory
from credits import ledger
from credits.models import Plan
from credits.selectors import credit_account_for
from studio import services as studio_services

pytestmark = pytest.mark.django_db
USERS = "/admin/accounts/user/"


@pytest.fixture
def root(client):
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def ada():
    user = UserFactory(email="ada@example.com", display_name="Ada")
    credit_account_for(user=user)  # opened at signup
    return user


@pytest.fixture
def rendered_rows(monkeypatch):
    """How many rows the user list rendered (not taken from the cache)."""
    rendered = []
    items_for_result = admin_list.items_for_result

    def counted(cl, result, form):
        rendered.append(result.pk)
        return items_for_result(cl, result, form)

    monkeypatch.setattr(admin_list, "items_for_result", counted)
    return rendered


def row_of(html: str, email: str) -> str:
    return next(row for row in html.replace("<wbr>", "").split("<tr") if f">{email}<" in row)  # (breaks allowed in addresses)


def test_the_user_lists_rows_are_rendered_once_until_one_changes(root, ada, rendered_rows):
    assert root.get(USERS).status_code == 200
    assert len(rendered_rows) == User.objects.count()
    rendered_rows.clear()

    html = root.get(USERS).content.decode()

    assert rendered_rows == []  # the same rows: the table from the cache
    assert "Ada" in row_of(html, "ada@example.com")

    User.objects.filter(pk=ada.pk).update(display_name="Ada L.")
    assert "Ada L." in row_of(root.get(USERS).content.decode(), "ada@example.com")
    assert len(rendered_rows) == User.objects.count()


def test_every_column_of_the_user_list_shows_a_change_at_once(root, ada):
    account = credit_account_for(user=ada)
    root.get(USERS)  # cached

    ledger.credits_grant(account=account, amount=25, idempotency_key="test:grant", reason="Test")
    balance = credit_account_for(user=ada).balance
    assert f'<td class="field-balance">{balance}<br>' in row_of(root.get(USERS).content.decode(), "ada@example.com")

    studio_services.project_create(owner=ada, title="A bible")
    assert '<td class="field-projects">1</td>' in row_of(root.get(USERS).content.decode(), "ada@example.com")

    ledger.account_plan_change(account=credit_account_for(user=ada), plan=Plan.objects.get(code="unlimited"),
                               key="test:plan", reason="Test")
    plan = Plan.objects.get(code="unlimited").name
    assert f'<td class="field-plan">{plan}</td>' in row_of(root.get(USERS).content.decode(), "ada@example.com")

    User.objects.filter(pk=ada.pk).update(is_active=False)
    assert "icon-no.svg" in row_of(root.get(USERS).content.decode(), "ada@example.com").split("field-is_active")[1]


def test_the_cached_rows_follow_the_viewers_language_time_zone_and_query(root, ada, rendered_rows):
    User.objects.filter(pk=ada.pk).update(last_login=datetime(2026, 1, 2, 15, 0, tzinfo=UTC))
    viewer = User.objects.get(email="root@example.com")

    assert "3 p.m." in row_of(root.get(USERS).content.decode(), "ada@example.com")
    User.objects.filter(pk=viewer.pk).update(timezone="Asia/Jakarta")
    assert "10 p.m." in row_of(root.get(USERS).content.decode(), "ada@example.com")
    User.objects.filter(pk=viewer.pk).update(locale="id")
    indonesian = root.get(USERS).content.decode()
    assert "22.00" in row_of(indonesian, "ada@example.com") and "Pilih objek ini untuk tindakan" in indonesian

    sorted_html = root.get(USERS, {"o": "-1"}).content.decode()  # by email address, descending
    assert "_changelist_filters=o%3D-1" in row_of(sorted_html, "ada@example.com")
    assert 'class="sortremove"' in sorted_html
    rendered_rows.clear()
    root.get(USERS)
    assert rendered_rows == []  # the first query's table is still there, beside the sorted one


def test_the_sidebar_marks_the_page_it_is_on(root):
    users = root.get(USERS).content.decode()
    ledger_page = root.get("/admin/credits/ledgerentry/").content.decode()

    assert '<tr class="model-user current-model">' in users
    assert '<tr class="model-ledgerentry">' in users
    assert '<tr class="model-user">' in ledger_page
    assert '<tr class="model-ledgerentry current-model">' in ledger_page


def test_the_sidebar_speaks_the_viewers_language(root):
    assert '<a href="/admin/accounts/user/" aria-current="page">Users</a>' in root.get(USERS).content.decode()

    User.objects.filter(email="root@example.com").update(locale="id")

    assert '<a href="/admin/accounts/user/" aria-current="page">Pengguna</a>' in root.get(USERS).content.decode()


def test_a_staff_members_sidebar_follows_their_permissions_at_once(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(staff)

    html = client.get(USERS).content.decode()
    assert "model-user" in html and "model-ledgerentry" not in html and "model-plan" not in html

    staff.user_permissions.add(Permission.objects.get(codename="view_ledgerentry"))
    html = client.get(USERS).content.decode()
    assert "model-user" in html and "model-ledgerentry" in html and "model-plan" not in html

    root = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(root)
    assert "model-plan" in client.get(USERS).content.decode()  # another viewer, another list
