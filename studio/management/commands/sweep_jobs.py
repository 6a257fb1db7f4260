from django.core.management.base import BaseCommand

from studio.generate import worker


class Command(BaseCommand):
    help = ("Re-enqueues generation jobs whose message was lost and fails (releasing their credits) the ones stuck "
            "past their time. Beat runs it every minute; safe to run by hand.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be done, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        counts = worker.jobs_sweep(dry_run=dry_run)
        suffix = " (dry run, nothing changed)" if dry_run else ""
        self.stdout.write(self.style.SUCCESS(
            f"Jobs re-enqueued: {counts['requeued']}, failed and released: {counts['failed']}{suffix}."))
