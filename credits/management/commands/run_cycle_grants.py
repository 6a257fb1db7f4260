from django.core.management.base import BaseCommand

from credits import cycles


class Command(BaseCommand):
    help = "Grants each due plan cycle's credits and moves lapsed paid plans to Free (idempotent per cycle)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the due accounts, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        outcomes = cycles.credits_run_due_cycles(dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{outcomes['due']} account(s) due for a cycle (dry run, nothing changed).")
            return
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())) or "nothing due"
        self.stdout.write(self.style.SUCCESS(f"Cycle run: {summary}."))
