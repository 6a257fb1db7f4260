"""Query counts of the pages `make bench` times (benchmarks/run.py, figure 5): each runs the same,
exact number of queries for a small and a much bigger data set, so a new query per row (or any
new query) fails here. The bible overview and the characters list are counted in
studio/tests/test_pages.py; this covers the dashboard, the studio list, the project gallery page,
the admin's user list and the analytics page."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from aiproviders.models import AIModel, UsageLog
from credits import ledger
from credits.selectors import credit_account_for
from media.models import MediaAsset
from studio import services
from studio.generate.prompts import character_sheet_hash
from studio.models import Draft, Generation
from studio.tests.factories import give_plan, make_project

pytestmark = [pytest.mark.django_db, pytest.mark.requires_postgres]

# Session and user (middleware), then the page's own reads. The app shell's credit badge and trial
# banner come from the cache after the first request (credits.selectors.shell_summary_for_request).
EXPECTED = {
    "dashboard": 3,        # + recent projects (their counts are subqueries)
    "studio list": 5,      # + count, page of projects, trash count
    "gallery": 7,          # + project, count, page of assets, their targets, characters' sheets
    "admin user list": 6,  # + count, page of users with account and plan, the plan filter's choices
    # + the report's snapshot, the roll-ups' marks, each roll-up's stored and live part, the people
    # figures' lookups, computed (not from the minute's cache; no fill yet: every day is read live)
    "analytics": 24,
}


@pytest.fixture
def creator(db):
    user = UserFactory()
    give_plan(user, "unlimited")
    return user


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def grow(client, url, fill, small: int, big: int) -> tuple[int, int]:
    """The page's queries with `small` of everything, then with `big`."""
    fill(small)
    client.get(url)  # the session's first request settles its own bookkeeping
    few = count(client, url)
    fill(big - small)
    return few, count(client, url)


def projects(user, n):
    for _ in range(n):
        make_project(user, title=f"Bible {uuid.uuid4().hex[:6]}", characters=3, scenes=4, locations=1)


@pytest.mark.parametrize("page", ["dashboard", "studio list"])
def test_project_lists_run_the_same_queries_for_1_or_20_projects(client, creator, page):
    client.force_login(creator)
    url = reverse("dashboard") if page == "dashboard" else reverse("studio:projects")

    few, many = grow(client, url, lambda n: projects(creator, n), 1, 20)

    assert few == many == EXPECTED[page]


def test_the_project_gallery_runs_the_same_queries_for_5_or_60_assets(client, creator):
    project = make_project(creator, characters=6, scenes=3)
    targets = [*project.characters.all(), *project.scenes.all(), project]

    def assets(n):
        for i in range(n):
            target = targets[i % len(targets)]
            kind = {"Character": "character", "Scene": "scene", "Project": "project"}[type(target).__name__]
            sheet = character_sheet_hash(target) if kind == "character" and i % 2 else "older-sheet"
            MediaAsset.objects.create(
                owner=creator, project=project, target_kind=kind, target_id=target.public_id, source_type="generated",
                mime="image/png", width=1024, height=1024, prompt=f"picture {i}", gen_model="Offline image studio",
                params={"sheet_hash": sheet, "style": "anime", "references": []}, is_favourite=i % 5 == 0)

    client.force_login(creator)
    few, many = grow(client, reverse("studio:gallery", args=[project.public_id]), assets, 5, 60)

    assert few == many == EXPECTED["gallery"]


def test_the_admin_user_list_runs_the_same_queries_for_3_or_60_users(admin_client):
    def creators(n):
        for _ in range(n):
            user = UserFactory()
            credit_account_for(user=user)  # opened at signup
            services.project_create(owner=user, title="A bible")

    few, many = grow(admin_client, reverse("admin:accounts_user_changelist"), creators, 3, 60)

    assert few == many == EXPECTED["admin user list"]


def test_analytics_runs_the_same_queries_for_10_or_400_calls(admin_client, creator, monkeypatch):
    monkeypatch.setattr("modo.admin_views.REPORT_CACHE_SECONDS", 0)
    project = make_project(creator, characters=2)
    character = project.characters.first()
    account = credit_account_for(user=creator)
    models = list(AIModel.objects.filter(enabled=True))
    now = timezone.now()

    def usage(n):
        for i in range(n):
            reference = f"generation:{uuid.uuid4()}"
            model = models[i % len(models)]
            when = now - timedelta(days=i % 25, hours=i % 7)
            UsageLog.objects.create(user=creator, provider_id=model.provider_id, model=model, kind=model.type,
                                    status="error" if i % 9 == 0 else "ok", latency_ms=100 + i, first_token_ms=20,
                                    est_cost_usd=Decimal("0.002"), reference=reference, created_at=when)
            Generation.objects.create(owner=creator, project=project, target_kind="character",
                                      target_id=character.public_id, kind="character_image", status="succeeded",
                                      credits_quoted=5, cost_charged=5)
            Draft.objects.create(project=project, owner=creator, target_kind="project", field="logline",
                                 status="ready", credits_charged=3)
            if i % 4 == 0:
                hold = ledger.credits_hold(account=account, amount=5, reference=reference, idempotency_key=reference)
                ledger.credits_capture(hold=hold, amount=5)

    few, many = grow(admin_client, reverse("admin_analytics"), usage, 10, 400)

    assert few == many == EXPECTED["analytics"]
