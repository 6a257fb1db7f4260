"""Secrets at rest: MultiFernet over FIELD_ENCRYPTION_KEYS (first key encrypts, all decrypt)."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "fernet"]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: run `make run` or see .env.example.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key.") from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Raises InvalidToken when no configured key opens it."""
    return fernet().decrypt(token.encode()).decode()


# Every column holding a Fernet token, as "app_label.Model.field": `manage.py
# rotate_encryption_keys` re-encrypts them all under the first key.
ENCRYPTED_FIELDS = [
    "aiproviders.Provider.api_key_encrypted",
    "credits.PaymentGateway.secret_key_encrypted",
    "credits.PaymentGateway.webhook_secret_encrypted",
    "aiproviders.Provider.credentials_encrypted",
    "media.DriveConnection.access_token_encrypted",
    "media.DriveConnection.refresh_token_encrypted",
]


def rotate(token: str) -> str:
    """The same secret, encrypted under the first key (raises InvalidToken if unreadable)."""
    return fernet().rotate(token.encode()).decode()
