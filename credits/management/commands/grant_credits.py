import hashlib

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from credits import ledger
from credits.exceptions import CreditsError
from credits.selectors import credit_account_for


class Command(BaseCommand):
    help = ("Grants (or, with a negative amount, deducts) credits to one creator through the ledger, with a reason. "
            "Idempotent: the same email, amount and reason run twice change the balance once (use --key to repeat).")

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--amount", type=int, required=True, help="Credits; negative to deduct.")
        parser.add_argument("--reason", required=True, help="Shown in the creator's credit history and the ledger.")
        parser.add_argument("--key", default="", help="Idempotency key (default: derived from email, amount, reason).")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change, change nothing.")

    def handle(self, *args, email, amount, reason, key="", dry_run=False, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {email}.")
        if not reason.strip():
            raise CommandError("Give a --reason.")
        account = credit_account_for(user=user)
        if dry_run:
            self.stdout.write(f"Would change {user.email} by {amount:+d} credits (balance {account.balance}); "
                              "dry run, nothing changed.")
            return
        key = key or "cli-grant:" + hashlib.sha256(f"{user.pk}|{amount}|{reason.strip()}".encode()).hexdigest()[:40]
        try:
            entry = ledger.credits_admin_adjust(account=account, delta=amount, reason=reason.strip(), actor=None,
                                                  idempotency_key=key)
        except CreditsError as exc:
            raise CommandError(exc.message) from exc
        account.refresh_from_db()
        self.stdout.write(self.style.SUCCESS(
            f"{user.email}: {entry.amount:+d} credits (ledger entry {entry.pk}); balance now {account.balance}."))
