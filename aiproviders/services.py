"""Writes for the AI configuration."""

from django.utils import timezone

from modo import crypto

from .adapters import ProviderError, adapter_for
from .models import Provider


def provider_set_key(*, provider: Provider, api_key: str) -> Provider:
    """Stores the key encrypted under the first FIELD_ENCRYPTION_KEYS key; empty clears it."""
    api_key = api_key.strip()
    provider.api_key_encrypted = crypto.encrypt(api_key) if api_key else ""
    provider.save(update_fields=["api_key_encrypted", "updated_at"])
    return provider


def provider_set_credentials(*, provider: Provider, credentials: str) -> Provider:
    """Stores a service-account JSON (Google on Vertex AI) encrypted like a key; empty clears it."""
    credentials = credentials.strip()
    provider.credentials_encrypted = crypto.encrypt(credentials) if credentials else ""
    provider.save(update_fields=["credentials_encrypted", "updated_at"])
    return provider


def provider_switch_on(*, provider: Provider) -> int:
    """The second of the two steps (paste the key, enable): a vendor switched on for the first
    time brings its seeded models with it. Models the superadmin already enabled or disabled
    one by one (some of them enabled) are left as they are. Returns how many were enabled."""
    from modo import catalog

    from .models import AIModel

    models = AIModel.objects.filter(provider=provider)
    if models.filter(enabled=True).exists():
        return 0
    count = models.update(enabled=True)
    catalog.changed()
    return count


def provider_test(*, provider: Provider) -> tuple[bool, str]:
    """Makes the vendor's smallest real call and records the outcome (never the key)."""
    from .router import config_for

    try:
        message = adapter_for(config_for(provider)).test_connection()
        ok = True
    except ProviderError as exc:
        ok, message = False, exc.detail
    except crypto.InvalidToken:
        ok, message = False, "The stored key cannot be decrypted with FIELD_ENCRYPTION_KEYS."
    Provider.objects.filter(pk=provider.pk).update(
        last_checked_at=timezone.now(), last_check_ok=ok, last_check_message=message[:255]
    )
    return ok, message


def usage_logs_prune(*, older_than_days: int, dry_run: bool = False, batch: int = 5000) -> int:
    """Deletes usage-log rows older than the retention, in batches (a short transaction each, so
    a big backlog never locks the table for long). Returns how many rows (would) go."""
    from .models import UsageLog

    old = UsageLog.objects.filter(created_at__lt=timezone.now() - timezone.timedelta(days=older_than_days))
    if dry_run:
        return old.count()
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:batch]):
        deleted += UsageLog.objects.filter(pk__in=ids).delete()[0]
    return deleted
