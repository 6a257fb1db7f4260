from django.core.management.base import BaseCommand

from media import services


class Command(BaseCommand):
    help = "Re-checks Google Drive files (linked and Drive-stored), oldest check first; marks unreachable ones."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="How many files to check (default 500).")
        parser.add_argument("--dry-run", action="store_true", help="Count the files due, check nothing.")

    def handle(self, *args, limit=500, dry_run=False, **options):
        counts = services.assets_check_due(limit=limit, dry_run=dry_run)
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"Files due for a check: {counts['due']} (dry run, nothing checked)."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Checked {counts['checked']} files: {counts['inaccessible']} not reachable, "
            f"{counts['errors']} not answered by Drive (left as they were)."))
