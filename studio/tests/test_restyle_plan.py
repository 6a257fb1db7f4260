"""Restyle has its own plan feature (`feature_restyle`): on for every plan that existed (every
plan generated images, and restyle came with them), listed with the other features (pricing and
subscription pages, the plans API, the admin), and a plan without it is refused — 403
PLAN_REQUIRED on the API, the upgrade card on the page — before any upload or hold."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.tests.factories import UserFactory, bearer
from credits.models import Hold, Plan
from media import services as media_services
from media.models import MediaAsset
from media.tests.conftest import png
from studio.models import Generation
from studio.targets import target_of

from .factories import give_plan, make_project


def restyle_on(code: str, on: bool) -> None:
    """Switches restyle on or off for a plan as the admin does (a save: the catalog reloads it)."""
    plan = Plan.objects.get(code=code)
    plan.feature_restyle = on
    plan.save()


def no_restyle(user) -> None:
    """The user's plan (Free) with restyle switched off in the admin."""
    give_plan(user, "free")
    restyle_on("free", False)


@pytest.fixture
def photo(user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    project = make_project(user, characters=1, scenes=0)
    return media_services.asset_store(data=png(64, 48), mime="image/png", owner=user, target=target_of(project))


@pytest.mark.django_db
def test_every_seeded_plan_includes_restyle():
    assert set(Plan.objects.values_list("code", "feature_restyle")) == {
        (code, True) for code in ("trial", "free", "basic", "premium", "pro", "unlimited")
    }


@pytest.mark.django_db
def test_a_plan_without_restyle_is_refused_on_the_api_before_any_hold(client, user, photo):
    no_restyle(user)
    response = client.post(
        "/api/v1/generate/restyle",
        json.dumps({"source_asset": str(photo.public_id), "style": "anime"}),
        content_type="application/json",
        **bearer(user),
    )
    assert (response.status_code, response.json()["error"], response.json()["action"]) == (403, "PLAN_REQUIRED", "upgrade")
    assert not Hold.objects.exists() and not Generation.objects.exists()
    restyle_on("free", True)  # the admin turns it back on
    again = client.post(
        "/api/v1/generate/restyle",
        json.dumps({"source_asset": str(photo.public_id), "style": "anime"}),
        content_type="application/json",
        **bearer(user),
    )
    assert again.status_code == 202


@pytest.mark.django_db
def test_the_restyle_page_shows_the_upgrade_card_and_refuses_a_post_before_any_upload(client, user, photo):
    no_restyle(user)
    client.force_login(user)
    url = reverse("studio:restyle", args=[photo.project.public_id])
    page = client.get(url).content.decode()
    assert 'id="restyle-upgrade"' in page and 'id="restyle-form"' not in page
    before = MediaAsset.objects.count()
    response = client.post(
        url,
        {
            "photo": SimpleUploadedFile("me.png", png(80, 60), content_type="image/png"),
            "style": "anime",
            "size": "small",
            "idempotency_key": "k1",
        },
    )
    assert response.status_code == 403 and b'id="restyle-upgrade"' in response.content
    assert MediaAsset.objects.count() == before and not Hold.objects.exists() and not Generation.objects.exists()


@pytest.mark.django_db
def test_restyle_is_listed_with_the_plan_features(client):
    restyle_on("basic", False)
    page = client.get("/pricing/").content.decode()
    basic = page[page.index('id="plan-basic"') : page.index('id="plan-premium"')]
    premium = page[page.index('id="plan-premium"') :]
    assert "Restyle" in basic and "Restyle" in premium
    features = {p["code"]: p["features"] for p in client.get("/api/v1/plans").json()["data"]}
    assert "restyle" in features["premium"] and "restyle" not in features["basic"]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin = client.get(reverse("admin:credits_plan_change", args=[Plan.objects.get(code="basic").pk]))
    assert b'name="feature_restyle"' in admin.content


@pytest.mark.django_db
def test_the_plan_card_marks_restyle_included_or_not(client):
    restyle_on("basic", False)
    page = client.get("/pricing/").content.decode()
    basic = page[page.index('id="plan-basic"') : page.index('id="plan-premium"')]
    premium = page[page.index('id="plan-premium"') : page.index('id="plan-pro"')]

    def restyle_line(card):
        start = card.index("Restyle")
        return card[card.rindex("<li", 0, start) : start]

    assert restyle_line(basic) != restyle_line(premium)  # one shown as not included, the other as included


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_restyle_on_for_every_existing_plan():
    before, after = [("credits", "0009_hold_account_open_idx")], [("credits", "0010_plan_feature_restyle")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("credits", "Plan")
    # Two plans of its own (the seeded ones may have been flushed by an earlier transactional test).
    old.objects.create(code="studio-x", name="Studio X", description="A plan the superadmin made")
    old.objects.create(code="studio-y", name="Studio Y", description="Another one", feature_video=True)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("credits", "Plan")
    assert new.objects.filter(feature_restyle=False).count() == 0
    assert new.objects.get(code="studio-x").feature_restyle and new.objects.get(code="studio-y").feature_restyle
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
