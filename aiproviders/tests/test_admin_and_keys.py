import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory
from aiproviders import adapters, reports, services
from aiproviders.models import AIModel, CostAlert, Provider, UsageLog

from . import fakes

SECRET = "sk-live-THIS-IS-SECRET-1234"


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def add_provider(admin_client, **extra):
    data = {"name": "OpenAI prod", "kind": "openai", "new_api_key": SECRET, "base_url": "", "enabled": "on",
            "timeout_seconds": 30, "config": "{}",
            "models-TOTAL_FORMS": 0, "models-INITIAL_FORMS": 0, "models-MIN_NUM_FORMS": 0, "models-MAX_NUM_FORMS": 1000}
    data.update(extra)
    return admin_client.post(reverse("admin:aiproviders_provider_add"), data)


@pytest.mark.django_db
def test_a_key_saved_in_the_admin_is_encrypted_and_never_rendered(admin_client):
    response = add_provider(admin_client)
    assert response.status_code == 302, response.content[:2000]

    provider = Provider.objects.get(name="OpenAI prod")
    row = Provider.objects.filter(pk=provider.pk).values().get()
    assert all(SECRET not in str(value) for value in row.values())
    assert provider.api_key() == SECRET
    for url in (reverse("admin:aiproviders_provider_change", args=[provider.pk]),
                reverse("admin:aiproviders_provider_changelist")):
        html = admin_client.get(url).content.decode()
        assert SECRET not in html and SECRET[:-4] not in html
        assert "••••1234" in html


@pytest.mark.django_db
def test_saving_without_a_new_key_keeps_the_old_one(admin_client):
    add_provider(admin_client)
    provider = Provider.objects.get(name="OpenAI prod")

    add_form = {"name": "OpenAI prod", "kind": "openai", "new_api_key": "", "base_url": "", "enabled": "on",
                "timeout_seconds": 45, "config": "{}", "models-TOTAL_FORMS": 0, "models-INITIAL_FORMS": 0,
                "models-MIN_NUM_FORMS": 0, "models-MAX_NUM_FORMS": 1000}
    admin_client.post(reverse("admin:aiproviders_provider_change", args=[provider.pk]), add_form)

    provider.refresh_from_db()
    assert provider.timeout_seconds == 45 and provider.api_key() == SECRET


@pytest.mark.django_db
def test_rotating_keys_keeps_every_provider_usable(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    provider = services.provider_set_key(provider=Provider.objects.create(name="P", kind="openai"), api_key=SECRET)
    before = provider.api_key_encrypted

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key is gone

    provider.refresh_from_db()
    assert provider.api_key_encrypted != before
    assert provider.api_key() == SECRET


@pytest.mark.django_db
def test_rotation_reports_secrets_no_key_can_open(settings):
    from django.core.management import CommandError

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    services.provider_set_key(provider=Provider.objects.create(name="P", kind="openai"), api_key=SECRET)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError):
        call_command("rotate_encryption_keys")


@pytest.mark.django_db
def test_test_connection_action_reports_the_outcome(admin_client, monkeypatch):
    monkeypatch.setitem(adapters.REGISTRY, "fake", fakes.FakeAdapter)
    provider = Provider.objects.create(name="Fake", kind="fake")

    admin_client.post(reverse("admin:aiproviders_provider_changelist"),
                      {"action": "test_connection", "_selected_action": [provider.pk]})

    provider.refresh_from_db()
    assert provider.last_check_ok is True and provider.last_check_message == "fake ok"


@pytest.mark.django_db
def test_offline_provider_is_seeded_as_the_default_of_every_type():
    defaults = AIModel.objects.filter(is_default=True, enabled=True).select_related("provider")

    assert {m.type: m.provider.kind for m in defaults} == {"text": "local", "image": "local", "video": "local",
                                                           "audio": "local"}
    assert not AIModel.objects.filter(enabled=True).exclude(provider__kind="local").exists()


@pytest.mark.django_db
def test_cost_alert_is_sent_once_per_day_per_threshold(settings):
    settings.AI_DAILY_COST_ALERT_USD = 1.0
    UserFactory(is_superuser=True, is_staff=True)
    model = AIModel.objects.filter(type="text").select_related("provider").first()
    UsageLog.objects.create(provider=model.provider, model=model, kind="text", status="ok", est_cost_usd="0.60")
    assert reports.cost_alerts_send() == []

    UsageLog.objects.create(provider=model.provider, model=model, kind="text", status="ok", est_cost_usd="0.50")
    assert len(reports.cost_alerts_send()) == 1
    assert reports.cost_alerts_send() == []

    assert len(mail.outbox) == 1
    assert "$1.10" in mail.outbox[0].subject
    settings.AI_DAILY_COST_ALERT_USD = 2.0  # a new, higher threshold alerts again once crossed
    UsageLog.objects.create(provider=model.provider, model=model, kind="text", status="ok", est_cost_usd="1.00")
    assert len(reports.cost_alerts_send()) == 1
    assert CostAlert.objects.count() == 2


@pytest.mark.django_db
def test_ai_cost_report_prints_totals(capsys):
    model = AIModel.objects.filter(type="text").select_related("provider").first()
    UsageLog.objects.create(provider=model.provider, model=model, kind="text", status="ok", est_cost_usd="0.25",
                            tokens_in=100, tokens_out=50, credits_charged=3)
    UsageLog.objects.create(provider=model.provider, model=model, kind="text", status="error")

    call_command("ai_cost_report", days=1)

    out = capsys.readouterr().out
    assert model.display_name in out and "0.2500" in out
    line = next(line for line in out.splitlines() if model.display_name in line)
    assert line.split()[-7:-5] == ["2", "1"]  # calls, errors


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["provider", "aimodel", "usagelog", "costalert"])
def test_ai_admin_lists_render(admin_client, model):
    assert admin_client.get(reverse(f"admin:aiproviders_{model}_changelist")).status_code == 200
