"""Superadmin alerts: total and per-provider daily cost, a burst of failed generations from one
account, a burst of signups from one IP, repeated webhook signature failures — each raised once
per window, emailed to the superadmins and listed in the admin with its evidence."""

import base64
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PASSWORD, UserFactory
from aiproviders import reports
from aiproviders.models import AIModel, CostAlert, Provider, UsageLog
from aiproviders.webhooks import REPLICATE_WEBHOOK_PATH
from modo import alerts
from modo.models import Alert, AlertRule
from studio import services as studio_services
from studio.generate import jobs
from studio.tests.factories import give_plan, make_project

pytestmark = pytest.mark.django_db
Kind = AlertRule.Kind


@pytest.fixture
def superadmin(db):
    return UserFactory(email="boss@modo.example", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """Windows are fixed (10:00–11:00): a test that counts its events across a boundary would
    see them split in two. Events counted without an explicit time fall in the window of the
    test's start; a test passing `now=` still chooses its own."""
    started, window_start = timezone.now(), alerts.window_start
    monkeypatch.setattr(alerts, "window_start", lambda *, minutes, now=None: window_start(minutes=minutes,
                                                                                           now=now or started))


def rule(kind, threshold, minutes=10):
    AlertRule.objects.update_or_create(kind=kind, defaults={"threshold": threshold, "window_minutes": minutes,
                                                            "enabled": True})
    alerts.rule_changed(kind)


def alert_mails():
    return [m for m in mail.outbox if m.subject.startswith("[MODO alert]")]


# --- cost ----------------------------------------------------------------------------------------

def spend(provider: Provider, usd: str):
    model = AIModel.objects.create(provider=provider, model_id=f"m-{provider.pk}-{usd}", display_name="M", type="text")
    UsageLog.objects.create(provider=provider, model=model, kind="text", status="ok", est_cost_usd=usd)


def test_total_daily_cost_over_the_threshold_alerts_once_a_day(superadmin, celery_eager,
                                                                django_capture_on_commit_callbacks):
    assert AlertRule.objects.get(kind=Kind.COST_TOTAL).threshold == Decimal(100)  # the seeded default
    a = Provider.objects.create(name="Vendor A", kind="openai", daily_cost_alert_usd=1000)
    b = Provider.objects.create(name="Vendor B", kind="anthropic", daily_cost_alert_usd=1000)
    spend(a, "60.00")
    with django_capture_on_commit_callbacks(execute=True):
        reports.cost_alerts_send()
    assert not Alert.objects.exists()  # $60 in all

    spend(b, "45.50")
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            reports.cost_alerts_send()

    alert = Alert.objects.get()
    assert (alert.kind, alert.value, alert.threshold) == (Kind.COST_TOTAL, Decimal("105.5"), Decimal(100))
    assert alert.evidence["by_provider"] == {"Vendor A": "60.000000", "Vendor B": "45.500000"}
    assert not CostAlert.objects.exists()  # neither provider passed its own threshold
    [email] = alert_mails()
    assert email.to == [superadmin.email] and "Total AI vendor cost" in email.subject
    assert "105.5" in email.body and "Vendor B: 45.500000" in email.body

    tomorrow = timezone.localdate() + timedelta(days=1)
    UsageLog.objects.update(created_at=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        reports.cost_alerts_send(day=tomorrow)
    assert Alert.objects.filter(kind=Kind.COST_TOTAL).count() == 2  # a new day, a new window


def test_a_provider_over_its_own_threshold_alerts_once(superadmin, celery_eager, django_capture_on_commit_callbacks):
    cheap = Provider.objects.create(name="Cheap", kind="openai", daily_cost_alert_usd=5)
    spend(cheap, "6.00")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reports.cost_alerts_send()

    alert = Alert.objects.get()
    assert (alert.kind, alert.threshold, alert.evidence["provider"]) == (Kind.COST_PROVIDER, Decimal(5), "Cheap")
    assert CostAlert.objects.get().threshold_usd == Decimal(5)
    assert len(mail.outbox) == 1 and "Cheap at $6.00" in mail.outbox[0].subject


# --- abuse -----------------------------------------------------------------------------------------

def test_a_burst_of_failed_generations_from_one_account_alerts_once_per_window(
        user, settings, tmp_path, superadmin, celery_eager, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "pro")
    hero = make_project(user, characters=1).characters.first()
    studio_services.character_update(character=hero, name="Lintang")
    rule(Kind.FAILED_GENERATIONS, 3)

    for i in range(6):
        job = jobs.character_image_request(user=user, character=hero, idempotency_key=f"k{i}")
        with django_capture_on_commit_callbacks(execute=True):
            jobs.job_fail(job=job, code="content_policy", message="Refused.")

    alert = Alert.objects.get(kind=Kind.FAILED_GENERATIONS)
    assert alert.key == f"user:{user.pk}"
    assert alert.evidence["events"] == 4 and alert.evidence["last_reason"] == "failed: content_policy"
    assert len(alert_mails()) == 1
    # The next window starts counting again.
    later = timezone.now() + timedelta(minutes=11)
    for _ in range(4):
        alerts.event_count(kind=Kind.FAILED_GENERATIONS, key=f"user:{user.pk}", now=later)
    assert Alert.objects.filter(kind=Kind.FAILED_GENERATIONS).count() == 2


def test_refused_generations_count_against_the_account_and_its_ip(user, settings, tmp_path, superadmin):
    settings.MEDIA_ROOT = str(tmp_path)
    hero = make_project(user, characters=1).characters.first()  # a trial account: 2 generations a day
    rule(Kind.FAILED_GENERATIONS, 2)
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(user)

    for i in range(8):
        client.post(reverse("studio:character_image", args=[hero.public_id]), {"idempotency_key": f"x{i}"},
                    HTTP_HX_REQUEST="true")

    keys = set(Alert.objects.filter(kind=Kind.FAILED_GENERATIONS).values_list("key", flat=True))
    assert keys == {f"user:{user.pk}", "ip:203.0.113.9"}


def test_a_burst_of_signups_from_one_ip_alerts_once(superadmin, celery_eager, django_capture_on_commit_callbacks):
    rule(Kind.SIGNUPS, 2, minutes=60)
    client = Client(REMOTE_ADDR="198.51.100.7")
    for i in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("account_signup"), {"email": f"bot{i}@example.com", "password1": PASSWORD,
                                                    "password2": PASSWORD})
        client.logout()

    alert = Alert.objects.get(kind=Kind.SIGNUPS)
    assert alert.key == "ip:198.51.100.7" and alert.evidence["last_email"] == "bot2@example.com"
    assert len(alert_mails()) == 1
    other = Client(REMOTE_ADDR="198.51.100.8")
    other.post(reverse("account_signup"), {"email": "person@example.com", "password1": PASSWORD, "password2": PASSWORD})
    assert Alert.objects.filter(kind=Kind.SIGNUPS).count() == 1


def test_repeated_webhook_signature_failures_alert_once_per_window(settings, superadmin, celery_eager,
                                                                    django_capture_on_commit_callbacks):
    settings.REPLICATE_WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"replicate-signing-key-0123456789").decode()
    body = json.dumps({"id": "p1", "status": "succeeded"}).encode()
    forged = {"webhook-id": "msg_1", "webhook-timestamp": str(int(timezone.now().timestamp())),
              "webhook-signature": "v1,bm90LXRoZS1yaWdodC1zaWduYXR1cmU="}
    client = Client(REMOTE_ADDR="192.0.2.66")
    for _ in range(9):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(REPLICATE_WEBHOOK_PATH, data=body, content_type="application/json", headers=forged)
        assert response.status_code in (400, 401, 403)

    alert = Alert.objects.get(kind=Kind.WEBHOOK_FORGERY)
    assert alert.key == "replicate" and alert.evidence["events"] == 6 and alert.evidence["last_ip"] == "192.0.2.66"
    assert len(alert_mails()) == 1
    later = timezone.now() + timedelta(minutes=10)
    for _ in range(6):
        alerts.event_count(kind=Kind.WEBHOOK_FORGERY, key="replicate", now=later)
    assert Alert.objects.filter(kind=Kind.WEBHOOK_FORGERY).count() == 2


def test_a_turned_off_rule_raises_nothing(superadmin):
    AlertRule.objects.filter(kind=Kind.CONTACT_BURST).update(enabled=False)
    alerts.rule_changed(Kind.CONTACT_BURST)
    for _ in range(20):
        alerts.event_count(kind=Kind.CONTACT_BURST, key="ip:1.2.3.4")
    assert not Alert.objects.exists()


# --- the admin -------------------------------------------------------------------------------------

def test_the_admin_shows_open_alerts_on_a_banner_and_lists_their_evidence(client, superadmin):
    rule(Kind.CONTACT_BURST, 1)
    alerts.event_count(kind=Kind.CONTACT_BURST, key="ip:10.0.0.9", evidence={"last_email": "spam@example.com"})
    alert = alerts.event_count(kind=Kind.CONTACT_BURST, key="ip:10.0.0.9", evidence={"last_email": "spam@example.com"})
    client.force_login(superadmin)

    index = client.get(reverse("admin:index")).content.decode()
    assert 'id="alerts-banner"' in index and "ip:10.0.0.9" in index
    detail = client.get(reverse("admin:modo_alert_change", args=[alert.pk])).content.decode()
    assert "spam@example.com" in detail

    client.post(reverse("admin:modo_alert_changelist"), {"action": "acknowledge", "_selected_action": [alert.pk]})
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert 'id="alerts-banner"' not in client.get(reverse("admin:index")).content.decode()


def test_a_burst_of_contact_form_sends_from_one_ip_alerts_once(superadmin):
    from modo.tests.test_contact import message

    rule(Kind.CONTACT_BURST, 3)
    client = Client(REMOTE_ADDR="192.0.2.10")
    for i in range(6):
        client.post(reverse("contact"), message(email=f"sender{i}@example.com"))

    alert = Alert.objects.get(kind=Kind.CONTACT_BURST)
    assert alert.key == "ip:192.0.2.10" and alert.evidence["last_email"] == "sender3@example.com"


def test_a_burst_of_team_invitations_from_one_account_alerts_once(superadmin, user):
    from accounts import notifications

    rule(Kind.INVITATION_BURST, 2, minutes=60)
    for i in range(5):
        notifications.team_invitation_sent(inviter=user, email=f"friend{i}@example.com", team_name="Lentera")
    alert = Alert.objects.get(kind=Kind.INVITATION_BURST)
    assert alert.key == f"user:{user.pk}" and alert.evidence["last_invitee"] == "friend2@example.com"
