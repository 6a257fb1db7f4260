from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from modo import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypts every stored secret under the first key of FIELD_ENCRYPTION_KEYS. Rotate by putting a "
        "new key first (keep the old ones after it), run this, then drop the old keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Check every secret can be read, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        total, failures = 0, []
        for path in crypto.ENCRYPTED_FIELDS:
            app_label, model_name, field = path.split(".")
            model = apps.get_model(app_label, model_name)
            with transaction.atomic():
                for pk, token in model.objects.exclude(**{field: ""}).values_list("pk", field):
                    try:
                        rotated = crypto.rotate(token)
                    except crypto.InvalidToken:
                        failures.append(f"{path} #{pk}")
                        continue
                    if not dry_run:
                        model.objects.filter(pk=pk).update(**{field: rotated})
                    total += 1
        verb = "readable" if dry_run else "re-encrypted under the first key"
        self.stdout.write(f"{total} secret(s) {verb}.")
        if failures:
            raise CommandError(f"{len(failures)} secret(s) no configured key can open: {', '.join(failures)}")
