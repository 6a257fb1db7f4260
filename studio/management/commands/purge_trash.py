from django.core.management.base import BaseCommand
from django.utils import timezone

from studio import selectors, services
from studio.models import Project


class Command(BaseCommand):
    help = f"Deletes for good the projects that have been in the trash longer than {selectors.TRASH_DAYS} days."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            cutoff = timezone.now() - timezone.timedelta(days=selectors.TRASH_DAYS)
            count = Project.objects.filter(deleted_at__lt=cutoff).count()
            self.stdout.write(f"{count} project(s) would be deleted for good (dry run).")
            return
        self.stdout.write(self.style.SUCCESS(f"Deleted {services.projects_purge_trash()} row(s) from the trash."))
