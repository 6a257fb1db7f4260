"""Superadmin alerts: cost over a threshold and abuse patterns, each raised once per window,
emailed to the superadmins (a task, after commit) and listed in the admin with its evidence
(a banner on the admin index until acknowledged).

The apps report events here (modo is imported by all):

- event_count(kind=, key=, evidence=) — one failed/refused generation, signup, contact send,
  invitation or forged webhook. Counted in the cache (Redis in production) in fixed windows of
  the kind's AlertRule; the alert is raised when the count passes the rule's threshold.
- alert_raise(kind=, key=, value=, evidence=, ...) — for a measured value (the day's cost).
"""

import contextvars
import hashlib
import logging
import re
from datetime import UTC, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Alert, AlertRule

log = logging.getLogger(__name__)
Kind = AlertRule.Kind

# What a fresh install starts with (a data migration seeds these rows; the admin edits them).
DEFAULT_RULES = {
    Kind.COST_TOTAL: (Decimal(100), 24 * 60),
    Kind.COST_PROVIDER: (Decimal(50), 24 * 60),
    Kind.FAILED_GENERATIONS: (Decimal(10), 10),
    Kind.SIGNUPS: (Decimal(5), 60),
    Kind.CONTACT_BURST: (Decimal(5), 10),
    Kind.INVITATION_BURST: (Decimal(20), 60),
    Kind.WEBHOOK_FORGERY: (Decimal(5), 10),
}
RULE_CACHE_SECONDS = 60
# The request being served (set by accounts.middleware), so an event reported deep in a service
# can be counted against the client's IP as well as the account.
current_request: contextvars.ContextVar = contextvars.ContextVar("alerts_current_request", default=None)


def client_ip() -> str:
    request = current_request.get()
    if request is None:
        return ""
    try:
        from allauth.account.adapter import get_adapter

        return get_adapter(request).get_client_ip(request) or ""
    except Exception:
        return request.META.get("REMOTE_ADDR", "")


def actor_event(*, kind: str, user_id: int | None, evidence: dict | None = None) -> list[Alert]:
    """One event by an account and (when a request is being served) its IP: counted under both,
    so a burst from one account or from one address (many accounts) is caught."""
    ip = client_ip()
    evidence = {**(evidence or {}), "user_id": user_id, "ip": ip}
    raised = []
    for key in ([f"user:{user_id}"] if user_id else []) + ([f"ip:{ip}"] if ip else []):
        if (alert := event_count(kind=kind, key=key, evidence=evidence)) is not None:
            raised.append(alert)
    return raised


def _rule_cache_key(kind: str) -> str:
    return f"alert:rule:{kind}"


def rule_for(kind: str) -> tuple[Decimal, int] | None:
    """(threshold, window minutes) of an enabled rule; None when the superadmin turned it off.
    Cached for a minute: counting an event must not cost a query each time."""
    cached = cache.get(_rule_cache_key(kind))
    if cached is None:
        rule = AlertRule.objects.filter(kind=kind).first()
        if rule is None:
            threshold, minutes = DEFAULT_RULES[kind]
            cached = (str(threshold), minutes, True)
        else:
            cached = (str(rule.threshold), rule.window_minutes, rule.enabled)
        cache.set(_rule_cache_key(kind), cached, RULE_CACHE_SECONDS)
    threshold, minutes, enabled = cached
    return (Decimal(threshold), int(minutes)) if enabled else None


def rule_changed(kind: str) -> None:
    cache.delete(_rule_cache_key(kind))


def window_start(*, minutes: int, now=None) -> datetime:
    seconds = max(60, minutes * 60)
    ts = int((now or timezone.now()).timestamp()) // seconds * seconds
    return datetime.fromtimestamp(ts, tz=UTC)


def _short(key: str) -> str:
    """The key as it goes into a cache key: itself when short and plain, else its hash."""
    return key if re.fullmatch(r"[\w.:@-]{1,60}", key) else hashlib.sha256(key.encode()).hexdigest()[:32]


def _number(value: Decimal) -> str:
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def _lines(evidence: dict, indent: str = "  ") -> str:
    out = []
    for name, value in evidence.items():
        if isinstance(value, dict):
            out.append(f"{indent}{name}:")
            out.append(_lines(value, indent + "  "))
        else:
            out.append(f"{indent}{name}: {value}")
    return "\n".join(out)


def event_count(*, kind: str, key: str, evidence: dict | None = None, now=None) -> Alert | None:
    """Counts one event for (kind, key) in the current window; raises the alert (once per window)
    when the count passes the rule's threshold. Never raises itself: a counting failure must not
    break the request that reported it."""
    try:
        rule = rule_for(kind)
        if rule is None:
            return None
        threshold, minutes = rule
        start = window_start(minutes=minutes, now=now)
        counter = f"alert:n:{kind}:{_short(key)}:{int(start.timestamp())}"
        if cache.add(counter, 1, timeout=minutes * 60 + 60):
            count = 1
        else:
            try:
                count = cache.incr(counter)
            except ValueError:  # expired between add and incr
                cache.add(counter, 1, timeout=minutes * 60 + 60)
                count = 1
        if count <= threshold:
            return None
        return alert_raise(kind=kind, key=key, value=Decimal(count), threshold=threshold, minutes=minutes,
                           start=start, evidence={"events": count, **(evidence or {})})
    except Exception:
        log.exception("alert counting failed for %s", kind)
        return None


def alert_raise(*, kind: str, key: str, value: Decimal, threshold: Decimal, minutes: int, start: datetime,
                evidence: dict, notify: bool = True) -> Alert | None:
    """Records the alert for (kind, key, window) unless it was raised already, and emails the
    superadmins once it is committed (`notify=False`: the caller sent its own email). Returns
    the new alert, or None when it was not new."""
    raised = f"alert:raised:{kind}:{_short(key)}:{int(start.timestamp())}"
    if cache.get(raised):
        return None
    from .tasks import alert_notify  # the task module imports this one

    try:
        with transaction.atomic():
            alert = Alert.objects.create(kind=kind, key=key[:200], window_start=start, window_minutes=minutes,
                                         value=value, threshold=threshold, evidence=evidence,
                                         emailed_at=None if notify else timezone.now())
            if notify:
                transaction.on_commit(lambda: alert_notify.delay(alert.pk))
    except IntegrityError:
        alert = None
    cache.set(raised, 1, timeout=minutes * 60 + 60)
    if alert is not None:
        cache.delete(BANNER_CACHE_KEY)
        log.warning("alert raised: %s %s (%s > %s)", kind, key, value, threshold)
    return alert


def alert_notify(*, alert_id: int) -> None:
    """Emails the superadmins about one alert, once (the emailed_at claim); a failure undoes the
    claim so a retry sends it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.urls import reverse

    from .http import absolute_url

    if not Alert.objects.filter(pk=alert_id, emailed_at__isnull=True).update(emailed_at=timezone.now()):
        return
    alert = Alert.objects.get(pk=alert_id)
    recipients = list(get_user_model().objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True))
    evidence = _lines(alert.evidence)
    try:
        send_mail(
            subject=f"[MODO alert] {alert.get_kind_display()}: {alert.key}",
            message=(f"{alert.get_kind_display()}\n\nAbout: {alert.key}\nValue: {_number(alert.value)} "
                     f"(threshold {_number(alert.threshold)} within {alert.window_minutes} minutes)\n"
                     f"Window from: {alert.window_start:%Y-%m-%d %H:%M} UTC\n\nEvidence:\n{evidence}\n\n"
                     f"In the admin: {absolute_url(reverse('admin:modo_alert_change', args=[alert.pk]))}\n"),
            from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=recipients or [settings.SERVER_EMAIL],
        )
    except Exception:
        Alert.objects.filter(pk=alert_id).update(emailed_at=None)
        raise


BANNER_CACHE_KEY = "alert:banner:v2"  # v2: rows keep the kind code (labelled per reader), not a label
BANNER_SIZE = 5


def alerts_open():
    """Alerts nobody acknowledged yet, newest first."""
    return Alert.objects.filter(acknowledged_at__isnull=True).order_by("-created_at")


def alerts_banner() -> dict:
    """The admin banner's content: {"alerts": [{pk, kind, key, created_at}], "total"}. Kept in the
    cache for a minute (dropped when an alert is raised or acknowledged)."""
    banner = cache.get(BANNER_CACHE_KEY)
    if banner is None:
        rows = list(alerts_open().values("pk", "kind", "key", "created_at")[:BANNER_SIZE])
        total = len(rows) if len(rows) < BANNER_SIZE else alerts_open().count()
        banner = {"alerts": rows, "total": total}
        cache.set(BANNER_CACHE_KEY, banner, 60)
    # The kind's label in the reader's language: the cached rows are shared by every admin.
    return {**banner, "alerts": [{**row, "kind": str(AlertRule.Kind(row["kind"]).label)} for row in banner["alerts"]]}


def alerts_acknowledge(*, queryset) -> int:
    done = queryset.filter(acknowledged_at__isnull=True).update(acknowledged_at=timezone.now())
    cache.delete(BANNER_CACHE_KEY)
    return done
