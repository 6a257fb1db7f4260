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
