"""Plans, credit accounts and the ledger. Balances change only in credits/ledger.py."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from modo import crypto
from modo.models import TimeStamped


class Plan(TimeStamped):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    # No price means "contact us".
    price_monthly = models.DecimalField(_("price per month"), max_digits=10, decimal_places=2, null=True, blank=True)
    price_yearly = models.DecimalField(_("price per year"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    # What the Indonesian gateways charge (IDR); empty: the price converted at MIDTRANS_IDR_RATE.
    price_monthly_idr = models.DecimalField(_("price per month (IDR)"), max_digits=14, decimal_places=0, null=True, blank=True)
    price_yearly_idr = models.DecimalField(_("price per year (IDR)"), max_digits=14, decimal_places=0, null=True, blank=True)
    credits_per_cycle = models.PositiveIntegerField(_("credits per cycle"), default=0)
    signup_credits = models.PositiveIntegerField(_("signup credits"), default=0)
    max_projects = models.PositiveIntegerField(_("max projects"), null=True, blank=True, help_text=_("Empty: no limit."))
    daily_generation_limit = models.PositiveIntegerField(_("daily generation limit"), default=0)
    feature_video = models.BooleanField(_("video"), default=False)
    feature_audio = models.BooleanField(_("audio"), default=False)
    feature_lipsync = models.BooleanField(_("lip-sync"), default=False)
    feature_upscale = models.BooleanField(_("upscale"), default=False)
    feature_restyle = models.BooleanField(_("restyle"), default=False)
    feature_premium_models = models.BooleanField(_("premium models"), default=False)
    is_trial = models.BooleanField(_("trial plan"), default=False)
    trial_days = models.PositiveIntegerField(_("trial days"), null=True, blank=True)
    trial_generation_cap = models.PositiveIntegerField(_("trial generation cap"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_default_for_signup = models.BooleanField(_("default for signup"), default=False)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default_for_signup"], condition=Q(is_default_for_signup=True), name="plan_one_signup_default"
            ),
            models.CheckConstraint(
                condition=Q(is_trial=False) | (Q(trial_days__isnull=False) & Q(trial_generation_cap__isnull=False)),
                name="plan_trial_has_days_and_cap",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_paid(self) -> bool:
        return bool(self.price_monthly or self.price_yearly)

    @property
    def is_contact_only(self) -> bool:
        return not self.is_trial and self.price_monthly is None and self.price_yearly is None

    def has_feature(self, feature: str) -> bool:
        return bool(getattr(self, f"feature_{feature}", False))


class CreditPackage(TimeStamped):
    """A one-off top-up. Purchased credits never expire."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    credits = models.PositiveIntegerField(_("credits"))
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    # What the Indonesian gateways charge (IDR); empty: the price converted at MIDTRANS_IDR_RATE.
    price_idr = models.DecimalField(_("price (IDR)"), max_digits=14, decimal_places=0, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "credits"]
        verbose_name = _("credit package")
        verbose_name_plural = _("credit packages")

    def __str__(self):
        return f"{self.credits} credits / {self.price} {self.currency}"


class GenerationKind(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    LIPSYNC = "lipsync", _("Lip-sync")


class CreditCost(TimeStamped):
    """A default price rule for a generation kind, used unless the AI model sets its own cost.

    Flat when `per_seconds` is empty; otherwise `credits` per started `per_seconds` of output.
    `variant` narrows the rule (text: fast / premium; image: t2i / i2i / upscale); `max_seconds`
    makes brackets (video: up to 5 s, up to 10 s) — the smallest bracket that fits wins."""

    kind = models.CharField(_("kind"), max_length=16, choices=GenerationKind.choices)
    variant = models.CharField(_("variant"), max_length=16, blank=True)
    label = models.CharField(_("label"), max_length=80)
    credits = models.PositiveIntegerField(_("credits"))
    per_seconds = models.PositiveIntegerField(_("per started seconds"), null=True, blank=True)
    max_seconds = models.PositiveIntegerField(_("up to seconds"), default=0, help_text=_("0: no bracket."))
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "kind", "variant", "max_seconds"]
        verbose_name = _("credit cost")
        verbose_name_plural = _("credit costs")
        constraints = [
            models.UniqueConstraint(fields=["kind", "variant", "max_seconds"], name="creditcost_unique_rule"),
        ]

    def __str__(self):
        return f"{self.label}: {self.credits}"


class Bucket(models.TextChoices):
    """Where an account's credits sit (`balance` = bonus + cycle + purchased): the ledger spends them in that order."""

    BONUS = "bonus"
    CYCLE = "cycle"
    PURCHASED = "purchased"


class CreditAccount(TimeStamped):
    """Who pays: a user or a team (accounts.Team), exactly one of them (a CHECK constraint).

    `balance` is every credit owned, including the `bonus_balance` (spent first) and the
    `cycle_balance` (this plan cycle's credits, which expire at the cycle's end). The rest were
    purchased and never expire. `held` is reserved by running jobs: available = balance − held."""

    class Cycle(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        YEARLY = "yearly", _("Yearly")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="credit_account",
        verbose_name=_("user"),
    )
    team = models.OneToOneField(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_account",
        verbose_name=_("team"),
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    bonus_balance = models.BigIntegerField(_("bonus balance"), default=0)
    cycle_balance = models.BigIntegerField(_("cycle balance"), default=0)
    held = models.BigIntegerField(_("held"), default=0)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("plan"))
    billing_cycle = models.CharField(_("billing cycle"), max_length=8, choices=Cycle.choices, default=Cycle.MONTHLY)
    plan_started_at = models.DateTimeField(_("plan started at"), null=True, blank=True)
    plan_expires_at = models.DateTimeField(_("plan expires at"), null=True, blank=True)
    cycle_started_at = models.DateTimeField(_("cycle started at"), null=True, blank=True)
    next_cycle_at = models.DateTimeField(_("next cycle at"), null=True, blank=True)
    trial_ends_at = models.DateTimeField(_("trial ends at"), null=True, blank=True)
    trial_generations_used = models.PositiveIntegerField(_("trial generations used"), default=0)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True)) | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="account_user_xor_team",
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="account_balance_nonneg"),
            models.CheckConstraint(condition=Q(bonus_balance__gte=0), name="account_bonus_nonneg"),
            models.CheckConstraint(condition=Q(cycle_balance__gte=0), name="account_cycle_nonneg"),
            models.CheckConstraint(condition=Q(held__gte=0), name="account_held_nonneg"),
            models.CheckConstraint(condition=Q(held__lte=F("balance")), name="account_held_lte_balance"),
            models.CheckConstraint(
                condition=Q(bonus_balance__lte=F("balance") - F("cycle_balance")), name="account_buckets_lte_balance"
            ),
        ]
        indexes = [
            # The cycle task: paid plans whose next cycle is due.
            models.Index(fields=["next_cycle_at"], name="account_next_cycle_idx"),
            # The trial task: trials that have ended.
            models.Index(fields=["trial_ends_at"], name="account_trial_end_idx"),
        ]

    def __str__(self):
        return f"{self.user or self.team or 'account'} ({self.balance})"

    @property
    def available(self) -> int:
        return self.balance - self.held

    @property
    def purchased_balance(self) -> int:
        return self.balance - self.bonus_balance - self.cycle_balance


class Hold(TimeStamped):
    """Credits reserved for one job until it is captured (charged) or released, exactly once."""

    class Status(models.TextChoices):
        HELD = "held", _("Held")
        CAPTURED = "captured", _("Captured")
        RELEASED = "released", _("Released")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="holds", verbose_name=_("account"))
    amount = models.PositiveIntegerField(_("amount"))
    captured_amount = models.PositiveIntegerField(_("amount charged"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.HELD)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=160)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.CheckConstraint(condition=Q(captured_amount__lte=F("amount")), name="hold_capture_lte_amount"),
            # A constraint rather than `unique=True`: no second (pattern) index to keep up on every hold.
            models.UniqueConstraint(fields=["idempotency_key"], name="hold_idempotency_key_uniq"),
        ]
        indexes = [
            # "Holds still open", oldest first (support, the admin's filter): partial, so it holds
            # only the few open ones. A job finds its hold by its foreign key; nothing looks holds
            # up by their reference, so that has no index to keep up on every hold.
            models.Index(fields=["created_at"], name="hold_open_idx", condition=Q(status="held")),
            # An account's open holds: its running jobs, counted against the cap on running jobs on
            # every generation request (studio.selectors.active_job_count: a team's members share one).
            models.Index(fields=["account"], name="hold_account_open_idx", condition=Q(status="held")),
        ]

    def __str__(self):
        return f"hold {self.amount} ({self.status})"


class LedgerEntry(models.Model):
    """Append-only. The sum of `amount` is the balance and the sum of `held_delta` is `held`;
    the `*_after` columns snapshot the account after this entry."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant")
        PURCHASE = "purchase", _("Purchase")
        BONUS = "bonus", _("Bonus")
        HOLD = "hold", _("Hold")
        CAPTURE = "capture", _("Charge")
        RELEASE = "release", _("Release")
        REFUND = "refund", _("Refund")
        ADMIN_ADJUST = "admin_adjust", _("Adjustment")
        EXPIRY = "expiry", _("Expiry")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    # Indexed by the account-first indexes below; the ledger's hot path writes each index on
    # every entry, so there is none that another one already covers.
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries", db_index=False,
                                verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.BigIntegerField(_("amount"), help_text=_("Change to the balance (negative for spending)."))
    held_delta = models.BigIntegerField(_("held change"), default=0)
    bonus_delta = models.BigIntegerField(_("bonus change"), default=0)
    cycle_delta = models.BigIntegerField(_("cycle change"), default=0)
    balance_after = models.BigIntegerField(_("balance after"))
    bonus_after = models.BigIntegerField(_("bonus after"))
    cycle_after = models.BigIntegerField(_("cycle after"))
    held_after = models.BigIntegerField(_("held after"))
    hold = models.ForeignKey(Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="entries",
                             verbose_name=_("hold"))
    reference_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, db_index=False,
                                       verbose_name=_("reference type"))
    reference_id = models.CharField(_("reference ID"), max_length=64, blank=True)
    reference_object = GenericForeignKey("reference_type", "reference_id")
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=160)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              db_index=False, verbose_name=_("done by"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            # The history page: one account's entries, newest first, optionally by kind.
            models.Index(fields=["account", "-created_at"], name="ledger_account_recent_idx"),
            models.Index(fields=["account", "kind", "-created_at"], name="ledger_account_kind_idx"),
            # Refunds and support find the entries of one job or order.
            models.Index(fields=["reference"], name="ledger_reference_idx"),
            # Admin analytics: a period's entries by kind (credits per day, captures, top spenders).
            models.Index(fields=["kind", "created_at"], name="ledger_kind_day_idx"),
            # The entries of one order (or other object), and of one admin: partial, as most entries
            # (holds and charges of jobs) have neither.
            models.Index(fields=["reference_type", "reference_id"], name="ledger_reference_object_idx",
                         condition=Q(reference_type__isnull=False)),
            models.Index(fields=["actor"], name="ledger_actor_idx", condition=Q(actor__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="ledger_idempotency_key_uniq"),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount:+d}"


class Order(TimeStamped):
    """A purchase of a credit package or a plan. Applied (credits granted / plan switched)
    exactly once, when it is paid."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Payment failed")
        REFUNDED = "refunded", _("Refunded")

    class Gateway(models.TextChoices):
        MANUAL = "manual", _("Manual transfer")
        MIDTRANS = "midtrans", _("Midtrans")
        XENDIT = "xendit", _("Xendit")
        STRIPE = "stripe", _("Stripe")
        POLAR = "polar", _("Polar")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("order number"), max_length=32, unique=True)
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="orders", verbose_name=_("account"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("user"))
    package = models.ForeignKey(CreditPackage, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("credit package"))
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("plan"))
    billing_cycle = models.CharField(_("billing cycle"), max_length=8, choices=CreditAccount.Cycle.choices, blank=True)
    credits = models.PositiveIntegerField(_("credits"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    gateway = models.CharField(_("gateway"), max_length=16, choices=Gateway.choices, default=Gateway.MANUAL)
    gateway_reference = models.CharField(_("gateway reference"), max_length=120, blank=True)
    gateway_amount = models.CharField(_("gateway amount"), max_length=32, blank=True,
                                      help_text=_("The amount as sent to the gateway."))
    payment_url = models.URLField(_("payment URL"), max_length=500, blank=True)
    # The gateway's checkout (Stripe session, Xendit invoice, Polar checkout); `gateway_reference`
    # becomes the payment's own id (what a refund names) when it is paid.
    checkout_reference = models.CharField(_("checkout reference"), max_length=120, blank=True)
    refund_started_at = models.DateTimeField(_("refund started at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    refunded_amount = models.DecimalField(_("refunded amount"), max_digits=12, decimal_places=2, default=0)
    refunded_credits = models.PositiveIntegerField(_("credits taken back"), default=0)
    refund_reference = models.CharField(_("refund reference"), max_length=120, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(
                condition=(Q(package__isnull=False) & Q(plan__isnull=True)) | (Q(package__isnull=True) & Q(plan__isnull=False)),
                name="order_package_xor_plan",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_amount_nonneg"),
        ]
        indexes = [
            # The subscription page: a user's orders, newest first.
            models.Index(fields=["user", "-created_at"], name="order_user_recent_idx"),
            # The admin queue and the expiry task: pending orders by age.
            models.Index(fields=["status", "created_at"], name="order_status_idx"),
            # Analytics: the orders paid in a period (trial → paid conversions).
            models.Index(fields=["paid_at"], name="order_paid_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def ledger_reference(self) -> str:
        return self.number

    @property
    def item_name(self) -> str:
        if self.package_id:
            return str(self.package.name)
        return f"{self.plan.name} ({self.get_billing_cycle_display()})"


class PaymentEvent(models.Model):
    """A gateway notification as received (append-only, for audit and support). Every delivery is
    a row; the first with a verified event id owns it, later ones are replays (`is_replay`)."""

    gateway = models.CharField(_("gateway"), max_length=16)
    event_id = models.CharField(_("event ID"), max_length=200, blank=True)
    is_replay = models.BooleanField(_("replay"), default=False)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="events",
                              verbose_name=_("order"))
    event_type = models.CharField(_("event type"), max_length=40, blank=True)
    signature_valid = models.BooleanField(_("valid signature"), default=False)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["gateway", "-created_at"], name="paymentevent_recent_idx")]
        constraints = [
            # One verified event per gateway event id: the claim that makes a delivery a replay.
            models.UniqueConstraint(fields=["gateway", "event_id"], name="paymentevent_once",
                                    condition=Q(is_replay=False) & ~Q(event_id="")),
        ]

    def __str__(self):
        return f"{self.gateway} {self.event_type} → {self.outcome}"


class PaymentGateway(TimeStamped):
    """A payment gateway as the superadmin configures it: offered or not, test or live, its
    currency and keys (Fernet tokens, like AI provider keys; never the keys themselves)."""

    code = models.CharField(_("gateway"), max_length=16, unique=True,
                            choices=[c for c in Order.Gateway.choices if c[0] != Order.Gateway.MANUAL])
    enabled = models.BooleanField(_("offered to creators"), default=False)
    live_mode = models.BooleanField(_("live mode"), default=False, help_text=_("Off: the gateway's test/sandbox mode (Stripe and Xendit: the key decides)."))
    currency = models.CharField(_("currency"), max_length=3, default="USD",
                                help_text=_("IDR for Midtrans and Xendit, USD for Stripe and Polar."))
    secret_key_encrypted = models.TextField(_("secret key (encrypted)"), blank=True, editable=False)
    webhook_secret_encrypted = models.TextField(_("webhook secret (encrypted)"), blank=True, editable=False)
    options = models.JSONField(_("options"), default=dict, blank=True,
                               help_text=_('Polar: {"product_id": "…"} (a product with a custom price).'))
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("payment gateway")
        verbose_name_plural = _("payment gateways")

    def __str__(self):
        return self.get_code_display()

    def secret_key(self) -> str:
        return crypto.decrypt(self.secret_key_encrypted) if self.secret_key_encrypted else ""

    def webhook_secret(self) -> str:
        return crypto.decrypt(self.webhook_secret_encrypted) if self.webhook_secret_encrypted else ""


class Receipt(TimeStamped):
    """The numbered receipt of one paid order, written once as the order is applied: what the
    buyer paid, as it was then (later renames of a package do not change it)."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField(_("receipt number"), unique=True)
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="receipt", verbose_name=_("order"))
    buyer_name = models.CharField(_("name"), max_length=150)
    buyer_email = models.EmailField(_("email"))
    item = models.CharField(_("item"), max_length=160)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    gateway = models.CharField(_("payment method"), max_length=16, choices=Order.Gateway.choices)
    gateway_reference = models.CharField(_("payment reference"), max_length=120, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return f"R-{self.issued_at:%Y}-{self.number:06d}"


class ReceiptCounter(TimeStamped):
    """The last receipt number (one row). Taken under its row lock in the transaction that applies
    the order, so numbers have no gaps: a rolled-back payment gives its number back."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="receiptcounter_singleton")]

    def __str__(self):
        return f"receipt {self.last}"


def _international(number: str) -> str:
    """A phone number as wa.me wants it: digits only, with the country code (Indonesian numbers
    are often written from 0: 0813… → 62813…)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits


class PaymentSettings(TimeStamped):
    """How creators pay a manual order: the transfer details and the contact, edited by the
    superadmin in the admin. One row (id 1); `load()` makes it on first use."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    bank_name = models.CharField(_("bank name"), max_length=80, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=40, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=120, blank=True)
    ewallet_name = models.CharField(_("e-wallet"), max_length=80, blank=True, help_text=_("e.g. GoPay, OVO, DANA"))
    ewallet_number = models.CharField(_("e-wallet number"), max_length=40, blank=True)
    ewallet_holder = models.CharField(_("e-wallet holder"), max_length=120, blank=True)
    instructions = models.TextField(_("other instructions"), blank=True,
                                    help_text=_("Shown under the transfer details, e.g. what to write in the note."))
    whatsapp_number = models.CharField(_("WhatsApp number"), max_length=32, blank=True, default="081319504441",
                                       help_text=_("As people write it (0813…) or with the country code (62813…)."))
    contact_name = models.CharField(_("contact name"), max_length=80, blank=True, default="Galih Praz")

    class Meta:
        verbose_name = _("payment settings")
        verbose_name_plural = _("payment settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="paymentsettings_singleton")]

    def __str__(self):
        return str(_("Payment settings"))

    @classmethod
    def load(cls) -> "PaymentSettings":
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def whatsapp_international(self) -> str:
        return _international(self.whatsapp_number or settings.PAYMENT_WHATSAPP_NUMBER)

    @property
    def has_bank(self) -> bool:
        return bool(self.bank_name and self.bank_account_number)

    @property
    def has_ewallet(self) -> bool:
        return bool(self.ewallet_name and self.ewallet_number)

    @property
    def other_instructions(self) -> str:
        return self.instructions or settings.PAYMENT_INSTRUCTIONS


# The ledger's daily roll-ups (analytics) are declared beside this module, imported here to be models.
from .rollup_models import LedgerDay, SpendDay, SpendWindow, TrialDay  # noqa: E402, F401
