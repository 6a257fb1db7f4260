"""`manage.py backup_drill` (`make backup-drill`): proves the backups can be restored.

    pg_dump -Fc of the database → pg_restore into a new database → `check` and queries on it →
    every encrypted secret opens with FIELD_ENCRYPTION_KEYS and none with a wrong key → the
    restored copy is dropped (unless --keep).

Read-only on the live database; the copy is made and dropped on the same server (its user needs
CREATEDB). Exits non-zero, naming what failed, when any step fails."""

import os
import subprocess
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from modo import crypto

ALIAS = "backup_drill"
# Tables whose row counts must match between the database and its restored copy (the money,
# the people, the work).
COUNTED = ["accounts.User", "credits.CreditAccount", "credits.LedgerEntry", "credits.Hold", "studio.Project",
           "studio.Generation", "media.MediaAsset", "aiproviders.Provider", "media.DriveConnection"]


class Command(BaseCommand):
    help = "Dumps the database (pg_dump -Fc), restores it into a new database and checks the copy, secrets included."

    def add_arguments(self, parser):
        parser.add_argument("--keep", action="store_true", help="Keep the restored database (its name is printed).")
        parser.add_argument("--dump", default="", help="Where to write the dump (default: a temporary file, removed).")

    def handle(self, *args, keep=False, dump="", **options):
        source = connections["default"]
        if source.vendor != "postgresql":
            raise CommandError("The backup drill needs PostgreSQL (pg_dump / pg_restore).")
        settings_dict = source.settings_dict
        copy_name = f"{settings_dict['NAME']}_drill_{int(time.time())}"[:63]
        with tempfile.TemporaryDirectory(prefix="modo-drill-") as folder:
            path = Path(dump or Path(folder) / "modo.dump")
            self._run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(path), settings_dict["NAME"]])
            self.stdout.write(f"Dumped {settings_dict['NAME']} ({path.stat().st_size} bytes) to {path}.")
            self._create(copy_name)
            try:
                self._run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", copy_name, str(path)])
                self.stdout.write(f"Restored into {copy_name}.")
                self._verify(copy_name)
            finally:
                if ALIAS in connections.settings:
                    connections[ALIAS].close()
                    del connections[ALIAS]
                    del connections.settings[ALIAS]
                if not keep:
                    self._drop(copy_name)
        self.stdout.write(self.style.SUCCESS("Backup drill passed." + (f" Restored copy kept: {copy_name}." if keep else "")))

    # --- steps ---------------------------------------------------------------------------------

    def _env(self) -> dict:
        s = connections["default"].settings_dict
        env = {**os.environ, "PGHOST": s.get("HOST") or "", "PGPORT": str(s.get("PORT") or ""),
               "PGUSER": s.get("USER") or "", "PGPASSWORD": s.get("PASSWORD") or ""}
        return {k: v for k, v in env.items() if v}

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(command, env=self._env(), capture_output=True, text=True, timeout=600)
        if done.returncode:
            raise CommandError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")

    def _admin(self, sql: str) -> None:
        with connections["default"].cursor() as cursor:  # CREATE/DROP DATABASE cannot run in a transaction
            cursor.execute(sql)

    def _create(self, name: str) -> None:
        self._admin(f"CREATE DATABASE {connections['default'].ops.quote_name(name)}")

    def _drop(self, name: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {connections['default'].ops.quote_name(name)}")

    def _verify(self, name: str) -> None:
        connections.settings[ALIAS] = {**connections["default"].settings_dict, "NAME": name}
        call_command("check", databases=[ALIAS], stdout=self.stdout)
        for label in COUNTED:
            model = apps.get_model(label)
            live, restored = model.objects.count(), model.objects.using(ALIAS).count()
            if live != restored:
                raise CommandError(f"{label}: {live} rows live, {restored} in the restored copy.")
        self.stdout.write(f"Row counts match for {len(COUNTED)} tables.")
        self._check_ledger()
        self._check_secrets()

    def _check_ledger(self) -> None:
        from django.db.models import Sum

        accounts = apps.get_model("credits", "CreditAccount")  # by name: modo imports no app
        for account in accounts.objects.using(ALIAS).annotate(total=Sum("entries__amount")):
            if account.balance != (account.total or 0):
                raise CommandError(f"Credit account #{account.pk}: balance {account.balance}, ledger {account.total}.")
        self.stdout.write("Every balance in the copy equals its ledger.")

    def _check_secrets(self) -> None:
        wrong = MultiFernet([Fernet(Fernet.generate_key())])
        total, failures = 0, []
        for path in crypto.ENCRYPTED_FIELDS:
            app_label, model_name, field = path.split(".")
            model = apps.get_model(app_label, model_name)
            for pk, token in model.objects.using(ALIAS).exclude(**{field: ""}).values_list("pk", field):
                total += 1
                try:
                    crypto.decrypt(token)
                except InvalidToken:
                    failures.append(f"{path} #{pk} does not open with FIELD_ENCRYPTION_KEYS")
                    continue
                try:
                    wrong.decrypt(token.encode())
                    failures.append(f"{path} #{pk} opens with a wrong key")
                except InvalidToken:
                    pass
        if failures:
            raise CommandError("; ".join(failures))
        self.stdout.write(f"{total} secret(s) open with the configured keys and not with a wrong one.")
