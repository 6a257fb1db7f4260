"""Cost reading and alerting over the usage log (aggregate queries only)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from modo import alerts
from modo.http import absolute_url

from .models import CostAlert, UsageLog


def day_bounds(day: date):
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def cost_by_provider(*, since, until):
    return (
        UsageLog.objects.filter(created_at__gte=since, created_at__lt=until, provider__isnull=False)
        .values("provider_id", "provider__name", "provider__daily_cost_alert_usd")
        .annotate(cost=Sum("est_cost_usd"), calls=Count("id"))
        .order_by("-cost")
    )


def cost_report(*, days: int, now=None):
    now = now or timezone.now()
    since = now - timedelta(days=days)
    return list(
        UsageLog.objects.filter(created_at__gte=since)
        .values("provider__name", "model__display_name", "model__model_id")
        .annotate(
            calls=Count("id"), errors=Count("id", filter=Q(status=UsageLog.Status.ERROR)),
            tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out"), seconds=Sum("seconds"),
            credits=Sum("credits_charged"), cost=Sum("est_cost_usd"),
        )
        .order_by("provider__name", "-cost")
    )


def provider_threshold(own: Decimal | None) -> Decimal | None:
    """A provider's daily alert threshold: its own, else AI_DAILY_COST_ALERT_USD, else the "one
    provider's cost" alert rule (None when that rule is off)."""
    if own is not None and own > 0:
        return own
    if settings.AI_DAILY_COST_ALERT_USD > 0:
        return Decimal(str(settings.AI_DAILY_COST_ALERT_USD))
    rule = alerts.rule_for(alerts.Kind.COST_PROVIDER)
    return rule[0] if rule else None


def cost_alerts_send(*, day: date | None = None) -> list[CostAlert]:
    """Emails the admins once per provider per day when the day's estimated cost passes the
    provider's threshold (provider_threshold), and once a day when the total of all providers
    passes the "total cost" alert rule ($100 by default, editable in the admin). The CostAlert row
    (unique per day/provider/threshold) and the Alert row (unique per kind/day) are the claims."""
    day = day or timezone.localdate()
    sent = []
    since, until = day_bounds(day)
    rows = list(cost_by_provider(since=since, until=until))
    _cost_total_alert(day=day, rows=rows, since=since)
    for row in rows:
        total = row["cost"] or Decimal(0)
        threshold = provider_threshold(row["provider__daily_cost_alert_usd"])
        if threshold is None or total < threshold:
            continue
        try:
            with transaction.atomic():
                alert = CostAlert.objects.create(day=day, provider_id=row["provider_id"], threshold_usd=threshold, total_usd=total)
        except IntegrityError:
            continue  # already alerted today
        recipients = list(User.objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True))
        try:
            send_mail(
                subject=f"[MODO] AI cost alert: {row['provider__name']} at ${total:.2f} today",
                message=(f"Estimated vendor cost for {row['provider__name']} on {day} is ${total:.4f} over "
                         f"{row['calls']} calls, above the alert threshold of ${threshold}.\n\n"
                         f"Usage log: {absolute_url(reverse('admin:aiproviders_usagelog_changelist'))}"),
                from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=recipients or [settings.SERVER_EMAIL],
            )
        except Exception:
            alert.delete()  # not sent: the next run tries again
            raise
        # Listed with the other alerts (admin banner); this email was the notice.
        alerts.alert_raise(kind=alerts.Kind.COST_PROVIDER, key=f"{row['provider__name']} {day}", value=total,
                           threshold=threshold, minutes=24 * 60, start=since, notify=False,
                           evidence={"provider": row["provider__name"], "day": str(day), "calls": row["calls"],
                                     "cost_usd": str(total)})
        sent.append(alert)
    return sent


def _cost_total_alert(*, day: date, rows: list[dict], since) -> None:
    rule = alerts.rule_for(alerts.Kind.COST_TOTAL)
    total = sum((row["cost"] or Decimal(0) for row in rows), Decimal(0))
    if rule is None or total <= rule[0]:
        return
    alerts.alert_raise(
        kind=alerts.Kind.COST_TOTAL, key=f"all providers {day}", value=total, threshold=rule[0], minutes=24 * 60,
        start=since, evidence={"day": str(day), "total_usd": str(total),
                               "by_provider": {row["provider__name"]: str(row["cost"] or 0) for row in rows}})
