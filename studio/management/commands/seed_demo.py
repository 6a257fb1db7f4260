import environ
from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from studio.demo import demo_bible_create


class Command(BaseCommand):
    help = ("Creates the demo creator (DEMO_EMAIL / DEMO_PASSWORD or --email / --password) with a filled demo "
            "project. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--email")
        parser.add_argument("--password")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change, change nothing.")

    def handle(self, *args, email=None, password=None, dry_run=False, **options):
        env = environ.Env()
        email = (email or env("DEMO_EMAIL", default="demo@modo.local")).strip().lower()
        password = password or env("DEMO_PASSWORD", default="")
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            self.stdout.write(f"Demo creator {email}: already exists.")
            return
        if dry_run:
            self.stdout.write(f"Demo creator {email}: would be created (dry run).")
            return
        if not password:
            raise CommandError("Give --password or set DEMO_PASSWORD.")
        with transaction.atomic():
            user = User.objects.create_user(email, password, display_name="Dewi Lestari", timezone="Asia/Jakarta")
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        project = demo_bible_create(user=user)
        self.stdout.write(self.style.SUCCESS(f"Demo creator {email}: created, with the project “{project.title}”."))
