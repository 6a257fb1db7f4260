import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from modo import crypto


def test_round_trip_and_ciphertext_hides_the_secret():
    token = crypto.encrypt("sk-live-123456")

    assert "sk-live" not in token
    assert crypto.decrypt(token) == "sk-live-123456"


def test_rotation_new_key_encrypts_old_keys_still_decrypt(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    under_old = crypto.encrypt("secret")

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    under_new = crypto.encrypt("secret")

    assert crypto.decrypt(under_old) == "secret"
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(under_new) == "secret"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(under_old)


def test_missing_or_bad_keys_are_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
