from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aiproviders import services


class Command(BaseCommand):
    help = "Deletes AI usage-log rows older than --older-than days (default USAGE_LOG_RETENTION_DAYS). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=None, metavar="DAYS")
        parser.add_argument("--dry-run", action="store_true", help="Count the rows, delete nothing.")

    def handle(self, *args, older_than=None, dry_run=False, **options):
        days = settings.USAGE_LOG_RETENTION_DAYS if older_than is None else older_than
        if days < 1:
            raise CommandError("--older-than must be at least 1 day.")
        count = services.usage_logs_prune(older_than_days=days, dry_run=dry_run)
        verb = "would be deleted (dry run, nothing changed)" if dry_run else "deleted"
        self.stdout.write(self.style.SUCCESS(f"Usage-log rows older than {days} days {verb}: {count}."))
