"""Writes of credits' configuration (the ledger and orders have their own modules)."""

from modo import crypto

from .models import PaymentGateway


def payment_gateway_set_keys(*, gateway: PaymentGateway, secret_key: str | None = None,
                             webhook_secret: str | None = None) -> PaymentGateway:
    """Stores the given keys encrypted (None keeps a key, "" clears it); never logs them."""
    fields = ["updated_at"]
    for name, value in (("secret_key_encrypted", secret_key), ("webhook_secret_encrypted", webhook_secret)):
        if value is not None:
            setattr(gateway, name, crypto.encrypt(value.strip()) if value.strip() else "")
            fields.append(name)
    gateway.save(update_fields=fields)
    return gateway
