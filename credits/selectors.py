"""Reads for credits. Every lookup of a user's object checks the owner (404 otherwise)."""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.dispatch import receiver
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import roles
from accounts.models import Membership
from accounts.selectors import workspace_for

from . import ledger, periods
from .exceptions import upgrade_url
from .gateways import CODES, GatewayConfig, registry
from .models import CreditAccount, CreditCost, CreditPackage, LedgerEntry, Order, PaymentGateway, Plan, Receipt
from .signals import account_changed


def credit_account_for(*, user=None, team=None) -> CreditAccount:
    """The user's account (or, with `team`, the team's) with its plan; opened on first use
    (signup, social signup, admin-made users and new teams alike), so every signed-in creator
    and every team has one. The caller has checked that `user` may use `team`'s."""
    if team is not None:
        account = CreditAccount.objects.select_related("plan").filter(team=team).first()
        return account or ledger.credit_account_open(team=team)
    account = CreditAccount.objects.select_related("plan").filter(user=user).first()
    return account or ledger.credit_account_open(user=user)


def credit_account_for_request(request, *, user=None) -> CreditAccount:
    """The account of the request's workspace (the user's, or their current team's), read once
    per request (the app shell and the page share it)."""
    if not hasattr(request, "_credit_account"):
        user = user or request.user
        request._credit_account = credit_account_for(user=user, team=workspace_for(request, user=user))
    return request._credit_account


def usage_cycle(account: CreditAccount, now=None) -> tuple:
    """(start, end) of the account's current plan cycle: the window a team member's usage and cap
    count over (`end` None: no next cycle). An account with no stored cycle counts the calendar
    month."""
    now = now or timezone.now()
    if account.cycle_started_at is None:
        return month_start(now), None
    return periods.cycle_containing(started_at=account.cycle_started_at, next_at=account.next_cycle_at, now=now)


def member_usage(*, account: CreditAccount, now=None) -> dict:
    """{user id: credits} each actor was charged from the account in its current plan cycle
    (usage_cycle) plus what their running jobs hold now: what a member's cap counts under the
    account's lock (guards.member_cap_check) and what the team page shows, one rule for both."""
    since, _end = usage_cycle(account, now)
    rows = (LedgerEntry.objects.filter(account=account, actor__isnull=False)
            .filter(Q(kind=LedgerEntry.Kind.CAPTURE, created_at__gte=since)
                    | Q(kind=LedgerEntry.Kind.HOLD, hold__status="held"))
            .values("actor").annotate(spent=Sum("amount", filter=~Q(kind=LedgerEntry.Kind.HOLD)),
                                      held=Sum("held_delta", filter=Q(kind=LedgerEntry.Kind.HOLD))))
    return {row["actor"]: -(row["spent"] or 0) + (row["held"] or 0) for row in rows}


def month_start(now=None):
    now = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# The app shell's credit badge and trial banner, cached per account for at most this long and
# dropped by every ledger write (account_changed, sent by credits.ledger after commit).
SHELL_SUMMARY_SECONDS = 300


def _shell_summary_key(*, user_id=None, team_id=None) -> str:
    """One summary per account: a team's is shared by its members."""
    return f"credits:shell:team:{team_id}" if team_id else f"credits:shell:user:{user_id}"


def shell_summary_for_request(request) -> dict:
    """{"available", "held", "bonus_balance", "trial"} of the request's workspace's account for the
    app shell: from the cache (no query) when it holds them, else from the account, which the page
    then shares."""
    if hasattr(request, "_shell_summary"):
        return request._shell_summary
    team = workspace_for(request)
    key = _shell_summary_key(user_id=request.user.pk, team_id=team.pk if team else None)
    summary = cache.get(key)
    if summary is None:
        account = credit_account_for_request(request)
        summary = {"available": account.available, "held": account.held, "bonus_balance": account.bonus_balance,
                   "trial": trial_status(account)}
        cache.set(key, summary, SHELL_SUMMARY_SECONDS)
    request._shell_summary = summary
    return summary


@receiver(account_changed, dispatch_uid="credits.shell_summary_forget")
def shell_summary_forget(sender, *, user_id=None, team_id=None, **kwargs) -> None:
    if user_id is not None or team_id is not None:
        cache.delete(_shell_summary_key(user_id=user_id, team_id=team_id))


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


def orders_for(*, user, team=None) -> QuerySet[Order]:
    """The workspace's orders: the user's own, or (for an owner/admin) the team's."""
    orders = Order.objects.filter(account__team=team) if team is not None else \
        Order.objects.filter(user=user, account__team__isnull=True)
    return orders.select_related("package", "plan", "receipt").order_by("-created_at")


def order_get(*, user, public_id, action: str = roles.BUY) -> Order:
    """The user's own order, or one of a team's where their role allows buying; 404 otherwise."""
    try:
        return get_object_or_404(
            Order.objects.select_related("package", "plan", "account").filter(
                Q(user=user, account__team__isnull=True)
                | Q(account__team__in=Membership.objects.filter(user=user, role__in=roles.roles_allowing(action))
                    .values("team_id"))),
            public_id=public_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


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


# --- payment gateways ------------------------------------------------------------------------


def _configured_gateways() -> QuerySet[PaymentGateway]:
    """Switched on, with a key, and (but Midtrans, which signs with its server key) a webhook
    secret: without one no payment could ever be confirmed."""
    return PaymentGateway.objects.filter(enabled=True).exclude(secret_key_encrypted="").filter(
        Q(code="midtrans") | ~Q(webhook_secret_encrypted=""))


def gateway_config(code: str) -> GatewayConfig | None:
    """The gateway's decrypted configuration when it is offered (enabled with a key), else None.
    Midtrans is also configured, as before, by MIDTRANS_SERVER_KEY in the environment."""
    row = _configured_gateways().filter(code=code).first()
    if row is not None:
        return GatewayConfig(code=code, secret_key=row.secret_key(), webhook_secret=row.webhook_secret(),
                             live_mode=row.live_mode, currency=row.currency.upper(), options=row.options or {})
    if code == "midtrans" and settings.MIDTRANS_SERVER_KEY:
        return GatewayConfig(code=code, secret_key=settings.MIDTRANS_SERVER_KEY, live_mode=settings.MIDTRANS_IS_PRODUCTION,
                             currency="IDR")
    return None


def gateways_offered() -> list[dict]:
    """The online gateways creators may choose (one query), in the admin's order; manual transfer
    is always offered besides them. Each: code, label, currency, packages_only."""
    rows = {g.code: g for g in _configured_gateways()}
    offered = [(g.sort_order, g.code, g.currency.upper()) for g in rows.values()]
    if "midtrans" not in rows and settings.MIDTRANS_SERVER_KEY:
        offered.append((-1, "midtrans", "IDR"))
    labels, modules = dict(Order.Gateway.choices), registry()
    return [{"code": code, "label": labels[code], "currency": currency,
             "packages_only": getattr(modules[code], "PACKAGES_ONLY", False)}
            for _, code, currency in sorted(offered, key=lambda o: (o[0], CODES.index(o[1])))]


def receipt_get(*, user, public_id) -> tuple[Order, Receipt | None]:
    """The receipt of the user's order `public_id` (404 for anyone else's), or None while unpaid."""
    order = order_get(user=user, public_id=public_id)
    return order, Receipt.objects.filter(order=order).first()
