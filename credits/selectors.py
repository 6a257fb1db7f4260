"""Reads for credits. Every lookup of a user's object checks the owner (404 otherwise)."""

from django.core.cache import cache
from django.db.models import QuerySet
from django.dispatch import receiver
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import ledger
from .exceptions import upgrade_url
from .models import CreditAccount, CreditCost, CreditPackage, LedgerEntry, Order, Plan
from .signals import account_changed


def credit_account_for(*, user) -> CreditAccount:
    """The user's account with its plan; opened on first use (signup, social signup, admin-made
    users alike), so every signed-in creator has one."""
    account = CreditAccount.objects.select_related("plan").filter(user=user).first()
    return account or ledger.credit_account_open(user=user)


def credit_account_for_request(request) -> CreditAccount:
    """The signed-in user's account, read once per request (the app shell and the page share it)."""
    if not hasattr(request, "_credit_account"):
        request._credit_account = credit_account_for(user=request.user)
    return request._credit_account


# The app shell's credit badge and trial banner, cached per user for at most this long and
# dropped by every ledger write (account_changed, sent by credits.ledger after commit).
SHELL_SUMMARY_SECONDS = 300


def _shell_summary_key(user_id) -> str:
    return f"credits:shell:{user_id}"


def shell_summary_for_request(request) -> dict:
    """{"available", "held", "bonus_balance", "trial"} for the signed-in user's app shell: from the
    cache (no query) when it holds them, else from the account, which the page then shares."""
    if hasattr(request, "_shell_summary"):
        return request._shell_summary
    key = _shell_summary_key(request.user.pk)
    summary = cache.get(key)
    if summary is None:
        account = credit_account_for_request(request)
        summary = {"available": account.available, "held": account.held, "bonus_balance": account.bonus_balance,
                   "trial": trial_status(account)}
        cache.set(key, summary, SHELL_SUMMARY_SECONDS)
    request._shell_summary = summary
    return summary


@receiver(account_changed, dispatch_uid="credits.shell_summary_forget")
def shell_summary_forget(sender, *, user_id=None, **kwargs) -> None:
    if user_id is not None:
        cache.delete(_shell_summary_key(user_id))


def signup_plan() -> Plan | None:
    return Plan.objects.filter(is_default_for_signup=True).first()


def public_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(is_public=True, is_trial=False).order_by("sort_order", "id")


def active_packages() -> QuerySet[CreditPackage]:
    return CreditPackage.objects.filter(is_active=True).order_by("sort_order", "credits")


def active_costs() -> QuerySet[CreditCost]:
    return CreditCost.objects.filter(is_active=True).order_by("sort_order", "kind", "variant", "max_seconds")


def ledger_for(*, account: CreditAccount, kind: str = "", since=None, until=None) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.filter(account=account).order_by("-created_at", "-id")
    if kind:
        entries = entries.filter(kind=kind)
    if since:
        entries = entries.filter(created_at__date__gte=since)
    if until:
        entries = entries.filter(created_at__date__lte=until)
    return entries


def orders_for(*, user) -> QuerySet[Order]:
    return Order.objects.filter(user=user).select_related("package", "plan").order_by("-created_at")


def order_get(*, user, public_id) -> Order:
    return get_object_or_404(Order.objects.select_related("package", "plan"), user=user, public_id=public_id)


def trial_status(account: CreditAccount) -> dict | None:
    """Days and generations left for a trial account, None otherwise."""
    plan = account.plan
    if not plan.is_trial:
        return None
    now = timezone.now()
    ends = account.trial_ends_at
    seconds_left = max(0, (ends - now).total_seconds()) if ends else 0
    generations_left = max(0, (plan.trial_generation_cap or 0) - account.trial_generations_used)
    # What ended it first: the generations, or the days.
    reason = "trial_generations" if generations_left <= 0 else "trial_days" if seconds_left <= 0 else ""
    return {
        "ends_at": ends,
        "days_left": int(-(-seconds_left // 86400)),
        "days": plan.trial_days or 0,
        "generations_left": generations_left,
        "generation_cap": plan.trial_generation_cap or 0,
        "ended": bool(reason),
        "reason": reason,
        "upgrade_url": upgrade_url(reason) if reason else "",
    }
