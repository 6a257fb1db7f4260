import functools

from django.conf import settings
from django.db import models
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


@functools.cache
def _choice_labels(field) -> dict:
    return dict(field.flatchoices)


class TimeStamped(models.Model):
    """created_at / updated_at on every table."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        """get_<field>_display(), looking the label up in a dict kept per field. Django's own
        builds that dict on every call by hashing every lazy label, which translates each of
        them: a text draft's canon paid ~90 translations for 8 labels (bench figure 8). Choices
        given by a callable can change, so they are read afresh."""
        value = getattr(self, field.attname)
        labels = dict(field.flatchoices) if isinstance(field.choices, CallableChoiceIterator) else _choice_labels(field)
        return force_str(labels.get(value, value), strings_only=True)


class ContactMessage(models.Model):
    """A message sent through /contact/. Stored first, then emailed to the admins."""

    class Topic(models.TextChoices):
        GENERAL = "general", _("General question")
        SALES = "sales", _("Plans and pricing")
        SUPPORT = "support", _("Help with my account")
        PARTNERSHIP = "partnership", _("Partnership or press")

    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, default=Topic.GENERAL)
    message = models.TextField(_("message"), max_length=5000)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("user"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    handled = models.BooleanField(_("handled"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")
        ordering = ["-created_at"]
        # The admin analytics page has no model of its own; its permission lives on modo's one model
        # (created by migrate like any other, so it can be given to a staff group).
        permissions = [("view_analytics", _("Can view the analytics page"))]
        indexes = [
            # The admin inbox: unhandled messages, newest first.
            models.Index(fields=["handled", "-created_at"], name="contact_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>: {self.message[:40]}"


class RouteLatency(models.Model):
    """One minute of one route's requests, flushed from the cache by modo.tasks.flush_latency:
    how many, how many failed (5xx), and a histogram of their durations (b0…b10, the bounds in
    modo.latency.BOUNDS_MS) from which the analytics page reads p50/p95/p99."""

    minute = models.DateTimeField()
    route = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    total_ms = models.FloatField(default=0)
    max_ms = models.FloatField(default=0)
    b0 = models.PositiveIntegerField(default=0)
    b1 = models.PositiveIntegerField(default=0)
    b2 = models.PositiveIntegerField(default=0)
    b3 = models.PositiveIntegerField(default=0)
    b4 = models.PositiveIntegerField(default=0)
    b5 = models.PositiveIntegerField(default=0)
    b6 = models.PositiveIntegerField(default=0)
    b7 = models.PositiveIntegerField(default=0)
    b8 = models.PositiveIntegerField(default=0)
    b9 = models.PositiveIntegerField(default=0)
    b10 = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("route latency")
        verbose_name_plural = _("route latencies")
        constraints = [models.UniqueConstraint(fields=["minute", "route"], name="routelatency_unique_minute_route")]
        # The analytics page: a period's minutes (the unique index serves it: minute first).

    def __str__(self):
        return f"{self.route} @ {self.minute:%Y-%m-%d %H:%M}"


class AlertRule(models.Model):
    """A superadmin alert's threshold, editable in the admin: more than `threshold` events (or US
    dollars, for cost) within `window_minutes` raises the alert, once per window."""

    class Kind(models.TextChoices):
        COST_TOTAL = "cost_total", _("Total AI vendor cost per day (USD)")
        COST_PROVIDER = "cost_provider", _("One provider's AI cost per day (USD)")
        FAILED_GENERATIONS = "failed_generations", _("Failed or refused generations by one account or IP")
        SIGNUPS = "signups", _("Signups from one IP")
        CONTACT_BURST = "contact_burst", _("Contact-form sends from one IP")
        INVITATION_BURST = "invitation_burst", _("Team invitations sent by one account")
        WEBHOOK_FORGERY = "webhook_forgery", _("Webhook signature failures")

    kind = models.CharField(_("alert"), max_length=24, choices=Kind.choices, unique=True)
    threshold = models.DecimalField(_("more than"), max_digits=12, decimal_places=2)
    window_minutes = models.PositiveIntegerField(_("within (minutes)"))
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["kind"]

    def __str__(self):
        return f"{self.get_kind_display()}: > {self.threshold} / {self.window_minutes} min"


class Alert(models.Model):
    """One raised alert with its evidence: at most one per (kind, key, window), which is what
    makes it "once per window". Emailed to the superadmins and shown on the admin's banner until
    acknowledged."""

    kind = models.CharField(_("alert"), max_length=24, choices=AlertRule.Kind.choices)
    key = models.CharField(_("about"), max_length=200)
    window_start = models.DateTimeField(_("window from"))
    window_minutes = models.PositiveIntegerField(_("window (minutes)"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=2)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "window_start"], name="alert_once_per_window"),
        ]
        indexes = [
            # The admin banner: alerts nobody acknowledged yet.
            models.Index(fields=["-created_at"], condition=models.Q(acknowledged_at__isnull=True), name="alert_open_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.key} ({self.value} > {self.threshold})"


class RollupMark(models.Model):
    """How much of one day a daily roll-up (modo/rollups.py) holds: its rows for `day` are the
    aggregates of the raw rows from the day's start to `until`; `until` at the day's end means the
    day is complete. What comes after `until` is aggregated live by the page."""

    name = models.CharField(_("roll-up"), max_length=60)
    day = models.DateField(_("day"))
    until = models.DateTimeField(_("until"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("roll-up mark")
        verbose_name_plural = _("roll-up marks")
        # The page reads a period's marks of every roll-up at once (name, day range): the unique
        # index serves it, and it is what the fill locks (one fill of a day at a time).
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="rollupmark_unique_day")]

    def __str__(self):
        return f"{self.name} {self.day} until {self.until:%H:%M}"
