"""Writes the secrets a development install needs into `.env`, once.

Run by `make run` before Django starts (`python -m modo.envfile`); it never overwrites a value
that is already there, so keys stay stable and encrypted data stays readable."""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ENV_FILE = Path(__file__).resolve().parent.parent / ".env"


def _existing(path: Path) -> dict[str, str]:
    values = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    return values


def ensure(path: Path = ENV_FILE) -> list[str]:
    """Adds the missing values; returns the names it added."""
    wanted = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": lambda: Fernet.generate_key().decode(),
        "SUPERADMIN_EMAIL": lambda: "admin@modo.local",
        "SUPERADMIN_PASSWORD": lambda: secrets.token_urlsafe(12),
        "DEMO_EMAIL": lambda: "demo@modo.local",
        "DEMO_PASSWORD": lambda: secrets.token_urlsafe(12),
    }
    existing = _existing(path)
    added = [name for name in wanted if not existing.get(name)]
    if added:
        with path.open("a") as fh:
            if path.stat().st_size and not path.read_text().endswith("\n"):
                fh.write("\n")
            fh.write("# Written by `make run` (modo/envfile.py); see .env.example for every setting.\n")
            for name in added:
                fh.write(f"{name}={wanted[name]()}\n")
        path.chmod(0o600)
    return added


if __name__ == "__main__":
    names = ensure()
    print(f".env: added {', '.join(names)}" if names else ".env: up to date", file=sys.stderr)
