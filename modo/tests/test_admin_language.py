"""The control room in the superadmin's language: our own columns, actions, panels and messages
read in Bahasa Indonesia when the admin's language is Indonesian, and in English again after
switching back — the user list's cached table of rows (modo.admin.CachedRowsAdmin) included."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.utils import flatten_fieldsets, label_for_field
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import strip_tags

from accounts.models import User
from accounts.tests.factories import UserFactory
from credits import orders
from credits.models import CreditPackage
from credits.selectors import credit_account_for
from modo import alerts
from modo.models import AlertRule

pytestmark = pytest.mark.django_db
USERS = "/admin/accounts/user/"
COLUMNS = ["user", "plan", "balance", "projects", "last_seen"]


@pytest.fixture
def root(client):
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


def headers(html: str) -> dict[str, str]:
    """The change list's column headers by column name, as read (the sort links' markup left out)."""
    found = re.findall(r'<th scope="col" class="[^"]*column-(\w+)[^"]*">(.*?)</th>', html, re.S)
    return {name: " ".join(strip_tags(text).split()) for name, text in found}


def actions(html: str) -> list[str]:
    select = re.search(r'<select name="action".*?</select>', html, re.S).group(0)
    return [strip_tags(option).strip() for option in re.findall(r"<option.*?</option>", select, re.S)]


def row_of(html: str, email: str) -> str:
    """The user's row as read: its cells' words, their markup left out."""
    row = next(row for row in html.replace("<wbr>", "").split("<tr") if f">{email}<" in row)
    return " ".join(re.sub(r"<[^>]*>", " ", row).split())


def speak(language: str) -> None:
    User.objects.filter(email="root@example.com").update(locale=language)


def test_the_control_room_reads_in_the_admins_language_and_back(root):
    ada = UserFactory(email="ada@example.com")
    account = credit_account_for(user=ada)  # opened at signup, on the trial plan
    ends = account.trial_ends_at.date().isoformat()

    english = root.get(USERS).content.decode()
    assert [headers(english)[c] for c in COLUMNS] == ["User", "Plan", "Balance", "Projects", "Last login"]
    assert {"Grant credits…", "Extend trial…", "Deactivate (they can no longer sign in)"} <= set(actions(english))
    assert f"Trial 0/2 until {ends}" in row_of(english, "ada@example.com")
    assert "0 held · 0 bonus" in row_of(english, "ada@example.com")

    speak("id")
    indonesian = root.get(USERS).content.decode()
    assert [headers(indonesian)[c] for c in COLUMNS] == ["Pengguna", "Paket", "Saldo", "Proyek", "Masuk terakhir"]
    assert {"Beri kredit…", "Perpanjang uji coba…", "Nonaktifkan (mereka tidak bisa masuk lagi)"} <= set(actions(indonesian))
    # Not the English table from the cache:
    assert f"Uji coba 0/2 hingga {ends}" in row_of(indonesian, "ada@example.com")
    assert "0 dicadangkan · 0 bonus" in row_of(indonesian, "ada@example.com")

    page = root.get(f"/admin/accounts/user/{ada.pk}/change/").content.decode()
    assert "Entri buku besar terbaru" in page and "Tugas terbaru" in page
    assert "Kredit sambutan · " in page  # the ledger's reason, from its code, in the reader's language
    assert "Kredit sambutan · " in root.get("/admin/credits/ledgerentry/").content.decode()  # and in the ledger's list
    assert "Beri / potong" in page and "Grant / deduct" not in page
    orders.order_create(user=ada, package=CreditPackage.objects.first())
    order_list = root.get("/admin/credits/order/").content.decode()
    assert "Tandai pesanan yang dipilih lunas (kredit diberikan sekali)" in actions(order_list)
    assert "Mark selected orders paid" not in order_list

    speak("en")
    english = root.get(USERS).content.decode()
    assert [headers(english)[c] for c in COLUMNS] == ["User", "Plan", "Balance", "Projects", "Last login"]
    assert "Grant credits…" in actions(english) and f"0/2 until {ends}" in row_of(english, "ada@example.com")


def test_the_alert_banner_names_each_alert_in_the_readers_language(root):
    """The banner's rows are cached for every admin: each reads the alert's kind in their own language."""
    kind = AlertRule.Kind.CONTACT_BURST
    AlertRule.objects.update_or_create(kind=kind, defaults={"threshold": 1, "window_minutes": 10, "enabled": True})
    alerts.rule_changed(kind)
    for _ in range(2):
        alerts.event_count(kind=kind, key="ip:10.0.0.9", evidence={})

    assert "Contact-form sends from one IP — ip:10.0.0.9" in root.get("/admin/").content.decode()
    speak("id")
    assert "Pengiriman formulir kontak dari satu IP — ip:10.0.0.9" in root.get("/admin/").content.decode()


# Labels that read the same in Bahasa Indonesia (compared in lower case: a filter's title is its
# field's name as written, a column's is capitalised), each for the reason above it.
SAME_IN_BOTH = {
    # Kept in English by the glossary (GLOSSARY-id.md), as creators and admins say them.
    "beat", "logline", "lip-sync", "prompt", "email",
    # Indonesian words spelled as in English (KBBI): the translation is the word itself.
    "status", "model", "bonus", "genre", "format", "target", "video", "audio", "pose", "avatar", "item", "label",
    "total (usd)",
    # Technical names an Indonesian admin reads as they are.
    "id", "slug", "metadata", "payload", "gateway", "streaming", "service account",
}
# allauth's social-account models name some fields without gettext (user, uid, app, token,
# settings): nothing our catalogue can translate.
NOT_OURS = {"socialaccount"}


def labels(model_admin, request) -> list[str]:
    """What one admin names in the active language: its list's column headers and filter titles, then
    the labels of its change form and of its inlines' forms."""
    changelist = model_admin.get_changelist_instance(request)
    found = [strip_tags(str(header["text"])) for header in result_headers(changelist)]
    found += [str(spec.title) for spec in changelist.filter_specs]
    obj = model_admin.model()  # an object's form (the user's is not its add form)
    for part in [model_admin, *model_admin.get_inline_instances(request, obj)]:
        form = part.get_form(request, obj) if part is model_admin else part.get_formset(request, obj).form
        for name in flatten_fieldsets(part.get_fieldsets(request, obj)):
            field = form.base_fields.get(name)
            found.append(str(field.label if field else label_for_field(name, part.model, part)))
    return [label for label in found if label]


def test_every_admin_names_its_columns_filters_and_fields_in_indonesian(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    untranslated = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in NOT_OURS:
            continue
        with translation.override("en"):
            english = labels(model_admin, request)
        with translation.override("id"):
            indonesian = labels(model_admin, request)
        untranslated += [f"{model._meta.label}: {en}" for en, id_ in zip(english, indonesian, strict=True)
                         if en == id_ and en.lower() not in SAME_IN_BOTH]
    assert untranslated == []
