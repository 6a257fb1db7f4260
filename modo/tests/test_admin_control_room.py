"""The Django admin as the control room: every page renders with data and a bounded number of
queries; grant / deduct go through the ledger with reason and actor; the support role helps
creators but never reaches AI providers."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import roles_sync
from accounts.tests.factories import UserFactory
from aiproviders.models import Provider
from credits import ledger, orders
from credits.models import CreditAccount, CreditPackage, LedgerEntry
from credits.selectors import credit_account_for
from media import services as media_services
from media.tests.conftest import png
from modo.models import ContactMessage
from studio.generate import jobs
from studio.targets import target_of
from studio.tests.factories import give_plan, make_project

pytestmark = pytest.mark.django_db

CHANGELIST_MAX_QUERIES = 20
CHANGE_MAX_QUERIES = 30


@pytest.fixture
def world(settings, tmp_path, celery_eager, django_capture_on_commit_callbacks):
    """Three creators with bibles, images, jobs, orders, ledger entries and usage logs."""
    settings.MEDIA_ROOT = str(tmp_path)
    for n in range(3):
        creator = UserFactory()
        give_plan(creator, "pro")
        project = make_project(creator, title=f"Bible {n}", characters=2, scenes=2)
        character = project.characters.first()
        with django_capture_on_commit_callbacks(execute=True):
            jobs.character_image_request(user=creator, character=character)
            media_services.asset_store(data=png(), mime="image/png", owner=creator, target=target_of(project))
        project.moodboards.create(title="Board")
        orders.order_create(user=creator, package=CreditPackage.objects.first())
        ledger.credits_grant(account=credit_account_for(user=creator), amount=5, idempotency_key=f"w{n}",
                             reason="Welcome")
        ContactMessage.objects.create(name="A", email="a@example.com", message="Hi")


def _urls(model_admin):
    opts = model_admin.model._meta
    urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
    first = model_admin.model._default_manager.order_by("pk").first()
    if first is not None:
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
    return urls


def test_every_admin_page_renders_with_data_in_bounded_queries(admin_client, world):
    checked = 0
    for model_admin in admin.site._registry.values():
        for n, url in enumerate(_urls(model_admin)):
            with CaptureQueriesContext(connection) as queries:
                response = admin_client.get(url)
            assert response.status_code == 200, url
            ceiling = CHANGE_MAX_QUERIES if n else CHANGELIST_MAX_QUERIES
            assert len(queries) <= ceiling, f"{url}: {len(queries)} queries"
            checked += 1
    assert checked > 40


def test_grant_and_deduct_from_the_user_list_write_one_entry_each(admin_client, user):
    admin_user = admin_client.session["_auth_user_id"]
    url = reverse("admin:accounts_user_changelist")
    form = admin_client.post(url, {"action": "grant_credits", "_selected_action": [user.pk]})
    key = form.context["form"]["idempotency_key"].value()
    for _ in range(2):  # a double submit applies once
        admin_client.post(url, {"action": "grant_credits", "_selected_action": [user.pk], "apply": "1",
                                "amount": "30", "reason": "Sorry for the outage", "idempotency_key": key})
    entry = LedgerEntry.objects.get(kind="admin_adjust")
    assert (entry.amount, entry.reason, str(entry.actor_id)) == (30, "Sorry for the outage", admin_user)

    refused = admin_client.post(url, {"action": "deduct_credits", "_selected_action": [user.pk], "apply": "1",
                                      "amount": "10", "reason": "", "idempotency_key": "k2"})
    assert refused.status_code == 200 and LedgerEntry.objects.filter(kind="admin_adjust").count() == 1
    admin_client.post(url, {"action": "deduct_credits", "_selected_action": [user.pk], "apply": "1",
                            "amount": "10", "reason": "Refund reversed", "idempotency_key": "k2"})
    assert list(LedgerEntry.objects.filter(kind="admin_adjust").order_by("pk").values_list("amount", flat=True)) == [30, -10]


def test_extend_trial_and_change_plan(admin_client, user):
    url = reverse("admin:accounts_user_changelist")
    account = credit_account_for(user=user)
    before = account.trial_ends_at
    admin_client.post(url, {"action": "extend_trial", "_selected_action": [user.pk], "apply": "1", "days": "7"})
    account.refresh_from_db()
    assert (account.trial_ends_at - before).days == 7
    admin_client.post(url, {"action": "change_plan", "_selected_action": [user.pk], "apply": "1", "reason": "Partner",
                            "plan": account.plan.__class__.objects.get(code="pro").pk, "billing_cycle": "monthly",
                            "idempotency_key": "p1"})
    assert CreditAccount.objects.get(user=user).plan.code == "pro"


@pytest.fixture
def support_client(client):
    roles_sync()
    staff = UserFactory(is_staff=True)
    from django.contrib.auth.models import Group

    staff.groups.add(Group.objects.get(name="support"))
    client.force_login(staff)
    return client


def test_support_cannot_reach_providers_but_can_grant_credits(support_client, user):
    provider = Provider.objects.first()
    assert support_client.get(reverse("admin:aiproviders_provider_changelist")).status_code == 403
    assert support_client.get(reverse("admin:aiproviders_provider_change", args=[provider.pk])).status_code == 403
    assert support_client.get(reverse("admin:aiproviders_aimodel_changelist")).status_code == 403
    assert b"aiproviders" not in support_client.get(reverse("admin:index")).content

    account = credit_account_for(user=user)
    adjust = reverse("admin:credits_creditaccount_adjust", args=[account.pk])
    assert support_client.get(adjust).status_code == 200
    support_client.post(adjust, {"direction": "grant", "amount": "15", "reason": "Goodwill", "idempotency_key": "s1"})
    assert LedgerEntry.objects.get(kind="admin_adjust").amount == 15
    assert support_client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert support_client.get(reverse("admin:credits_order_changelist")).status_code == 200


def test_the_quick_action_checkbox_is_djangos_markup(user):
    from django.contrib.admin import ModelAdmin, site

    from accounts.models import User

    user_admin = site._registry[User]
    assert str(user_admin.action_checkbox(user)) == str(ModelAdmin.action_checkbox(user_admin, user))
    assert 'class="action-select"' in user_admin.action_checkbox(user)


def test_refunding_a_finished_job_gives_its_credits_back_once(admin_client, user, settings, tmp_path, celery_eager,
                                                               django_capture_on_commit_callbacks):
    from studio.models import Generation

    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "pro")
    character = make_project(user, characters=1, scenes=0).characters.get()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.character_image_request(user=user, character=character)
    job.refresh_from_db()
    assert job.status == Generation.Status.SUCCEEDED and job.cost_charged > 0
    before = credit_account_for(user=user).balance
    url = reverse("admin:studio_generation_changelist")

    for _ in range(2):  # asked twice: refunded once
        response = admin_client.post(url, {"action": "refund", "_selected_action": [job.pk]}, follow=True)
        assert response.status_code == 200

    account = credit_account_for(user=user)
    assert account.balance == before + job.cost_charged
    refund = LedgerEntry.objects.get(account=account, kind="refund")
    assert refund.amount == job.cost_charged and refund.actor is not None
    assert "Refunded" in response.content.decode()
