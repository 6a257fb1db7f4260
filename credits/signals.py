"""What the ledger tells whoever listens, once its transaction has committed: an account's
balances or plan changed (credits.selectors drops the app shell's cached summary)."""

from django.db import transaction
from django.dispatch import Signal

# Sent with account_id, user_id (None for a team's account) and team_id (None for a user's).
account_changed = Signal()


def announce(account) -> None:
    """account_changed for this account after the open transaction commits (at once outside one)."""
    account_id, user_id, team_id = account.pk, account.user_id, account.team_id
    transaction.on_commit(lambda: account_changed.send(sender=type(account), account_id=account_id, user_id=user_id,
                                                       team_id=team_id))
