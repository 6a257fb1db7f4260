"""The admin index reads well: one heading per app, model names in a correct plural."""

import pytest
from django.apps import apps
from django.contrib import admin

from accounts.tests.factories import UserFactory


def test_every_model_names_its_plural():
    """Django's default plural adds an "s" ("storys"): every model of ours says its own."""
    ours = {"modo", "accounts", "credits", "media", "aiproviders", "studio"}
    missing = [m._meta.label for m in apps.get_models()
               if m._meta.app_label in ours and "verbose_name_plural" not in m._meta.original_attrs]
    assert not missing, f"no verbose_name_plural: {missing}"
    assert str(apps.get_model("studio", "Story")._meta.verbose_name_plural) == "stories"


def test_registered_apps_have_distinct_names():
    names = [str(apps.get_app_config(label).verbose_name) for label in
             {model._meta.app_label for model in admin.site._registry}]
    assert len(names) == len(set(names)), sorted(names)


@pytest.mark.django_db
def test_admin_index_shows_each_app_heading_once(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/admin/")

    headings = [str(app["name"]) for app in response.context["app_list"]]
    assert response.status_code == 200 and "Studio" in headings
    assert len(headings) == len(set(headings)), headings
    assert "Stories" in response.content.decode()
