import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    # A clean production environment: none of this run's secrets, nor the browser tests' async flag.
    dropped = {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def production_env(tmp_path, **overrides):
    env = {
        "DJANGO_SETTINGS_MODULE": "modo.settings.production",
        "SECRET_KEY": "k3y-" + "x7Qp9" * 12,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "ALLOWED_HOSTS": "modo.example",
    }
    env.update(overrides)
    return env


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    for missing in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL"):
        env = production_env(tmp_path)
        env[missing] = ""
        result = manage("check", **env)
        assert result.returncode != 0
        assert f"{missing} must be set in production" in result.stderr


def test_envfile_writes_missing_secrets_once(tmp_path):
    from modo import envfile

    path = tmp_path / ".env"
    path.write_text("DEBUG=true\nSECRET_KEY=keep-me")

    added = envfile.ensure(path)
    first = path.read_text()
    assert "SECRET_KEY" not in added and "FIELD_ENCRYPTION_KEYS" in added
    assert "SECRET_KEY=keep-me" in first and "DEBUG=true" in first
    key = next(line.split("=", 1)[1] for line in first.splitlines() if line.startswith("FIELD_ENCRYPTION_KEYS="))
    Fernet(key)  # a valid key

    assert envfile.ensure(path) == []
    assert path.read_text() == first


def test_postgresql_connections_prepare_their_statements_unless_turned_off(monkeypatch):
    from modo.settings.base import prepared_statements

    postgres = prepared_statements({"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"sslmode": "require"}})
    assert postgres["OPTIONS"] == {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 2}
    assert "OPTIONS" not in prepared_statements({"ENGINE": "django.db.backends.sqlite3"})
    monkeypatch.setenv("DB_PREPARED_STATEMENTS", "false")
    assert "OPTIONS" not in prepared_statements({"ENGINE": "django.db.backends.postgresql"})


@pytest.mark.requires_postgres
def test_the_test_run_binds_and_prepares_as_production_does(settings):
    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True


def test_production_keeps_sessions_in_the_cache_written_through_to_the_database(tmp_path):
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = manage("shell", "-c", code, **production_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/9"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.contrib.sessions.backends.cached_db"


@pytest.mark.parametrize("env, backend", [
    ({}, "django.core.mail.backends.console.EmailBackend"),
    ({"RESEND_API_KEY": "re_test_123"}, "anymail.backends.resend.EmailBackend"),
    ({"ANYMAIL_ESP": "mailgun", "ANYMAIL_MAILGUN_API_KEY": "key-1"}, "anymail.backends.mailgun.EmailBackend"),
])
def test_email_goes_through_anymail_when_a_vendor_is_set(tmp_path, env, backend):
    """Resend by its key, any anymail vendor by name (its settings as ANYMAIL_*), else EMAIL_URL."""
    code = ("from django.conf import settings; from django.core.mail import get_connection; "
            "print(settings.EMAIL_BACKEND, type(get_connection()).__module__, sorted(settings.ANYMAIL))")
    result = manage("shell", "-c", code, **production_env(tmp_path, **env))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split()[0] == backend
    if "RESEND_API_KEY" in env:
        assert "RESEND_API_KEY" in result.stdout
    if "ANYMAIL_MAILGUN_API_KEY" in env:
        assert "MAILGUN_API_KEY" in result.stdout
