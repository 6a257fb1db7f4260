from django.core.management.base import BaseCommand

from credits import cycles


class Command(BaseCommand):
    help = "Expires the remaining credits of ended trials (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the ended trials, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        count = cycles.credits_expire_ended_trials(dry_run=dry_run)
        suffix = " (dry run, nothing changed)" if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"Ended trials with credits expired: {count}{suffix}."))
