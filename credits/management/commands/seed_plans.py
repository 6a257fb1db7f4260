from django.core.management.base import BaseCommand

from credits.models import CreditCost, CreditPackage, Plan
from credits.seed import seed


class Command(BaseCommand):
    help = "Creates the default plans, credit packages and credit costs that are missing (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Also put edited defaults back to the seed values.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change, change nothing.")

    def handle(self, *args, reset=False, dry_run=False, **options):
        from django.db import transaction

        with transaction.atomic():
            counts = seed(Plan, CreditPackage, CreditCost, reset=reset)
            if dry_run:
                transaction.set_rollback(True)
        prefix = "Would have " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}created {counts['created']}, reset {counts['reset']} plan/package/cost rows."))
