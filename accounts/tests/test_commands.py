import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import User


@pytest.mark.django_db
def test_createsuperadmin_from_env_is_idempotent(monkeypatch, capsys):
    monkeypatch.setenv("SUPERADMIN_EMAIL", "Boss@Example.com")
    monkeypatch.setenv("SUPERADMIN_PASSWORD", "first-Pass-123")

    call_command("createsuperadmin")
    call_command("createsuperadmin")

    admin = User.objects.get()
    assert admin.email == "boss@example.com"
    assert admin.is_superuser and admin.is_staff
    assert EmailAddress.objects.get(user=admin).verified
    assert "already exists" in capsys.readouterr().out


@pytest.mark.django_db
def test_createsuperadmin_changes_a_password_only_when_asked(monkeypatch):
    call_command("createsuperadmin", email="boss@example.com", password="first-Pass-123")
    call_command("createsuperadmin", email="boss@example.com", password="other-Pass-456")
    assert User.objects.get().check_password("first-Pass-123")

    call_command("createsuperadmin", email="boss@example.com", password="other-Pass-456", reset_password=True)
    assert User.objects.get().check_password("other-Pass-456")


@pytest.mark.django_db
def test_createsuperadmin_needs_an_email(monkeypatch):
    monkeypatch.delenv("SUPERADMIN_EMAIL", raising=False)
    with pytest.raises(CommandError):
        call_command("createsuperadmin")
