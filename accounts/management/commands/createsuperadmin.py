import environ
from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User


class Command(BaseCommand):
    help = (
        "Creates the superadmin non-interactively from SUPERADMIN_EMAIL / SUPERADMIN_PASSWORD "
        "(or --email / --password). Idempotent: an existing account is kept, promoted if needed, "
        "and its password changed only with --reset-password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email")
        parser.add_argument("--password")
        parser.add_argument("--reset-password", action="store_true")

    def handle(self, *args, email=None, password=None, reset_password=False, **options):
        env = environ.Env()  # settings already loaded .env into the environment
        email = (email or env("SUPERADMIN_EMAIL", default="")).strip().lower()
        password = password or env("SUPERADMIN_PASSWORD", default="")
        if not email:
            raise CommandError("Give --email or set SUPERADMIN_EMAIL.")
        with transaction.atomic():
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                if not password:
                    raise CommandError("Give --password or set SUPERADMIN_PASSWORD to create the superadmin.")
                user = User.objects.create_superuser(email, password, display_name="Superadmin")
                verb = "created"
            else:
                user.is_staff = user.is_superuser = user.is_active = True
                if reset_password:
                    if not password:
                        raise CommandError("--reset-password needs --password or SUPERADMIN_PASSWORD.")
                    user.set_password(password)
                user.save()
                verb = "password reset" if reset_password else "already exists"
            # allauth signs people in only with a verified address when verification is mandatory.
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        self.stdout.write(self.style.SUCCESS(f"Superadmin {email}: {verb}."))
