import os

from django.core.management.base import BaseCommand
from django.db import transaction

from aiproviders.models import AIModel, Provider
from aiproviders.seed import seed
from modo import crypto


class Command(BaseCommand):
    help = "Creates the default AI providers and models that are missing (idempotent; never edits existing ones)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            counts = seed(Provider, AIModel, environ=os.environ, encrypt=crypto.encrypt)
            if dry_run:
                transaction.set_rollback(True)
        prefix = "Would create" if dry_run else "Created"
        self.stdout.write(self.style.SUCCESS(f"{prefix} {counts['providers']} provider(s), {counts['models']} model(s)."))
