"""AI vendors and models as the superadmin configures them, and the log of every call."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from modo import crypto
from modo.i18n import stored_message
from modo.models import TimeStamped


class Provider(TimeStamped):
    class Kind(models.TextChoices):
        OPENAI = "openai", "OpenAI"
        ANTHROPIC = "anthropic", "Anthropic"
        GOOGLE = "google", "Google"
        REPLICATE = "replicate", "Replicate"
        MODELSLAB = "modelslab", "ModelsLab"
        STABILITY = "stability", "Stability AI"
        ELEVENLABS = "elevenlabs", "ElevenLabs"
        OPENAI_COMPATIBLE = "openai_compatible", _("OpenAI-compatible server")
        LOCAL = "local", _("Offline (built in)")

    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Fernet token (MultiFernet over FIELD_ENCRYPTION_KEYS); never the key itself.
    api_key_encrypted = models.TextField(_("API key (encrypted)"), blank=True, editable=False)
    # A Google service-account JSON for Vertex AI, as a Fernet token like the key.
    credentials_encrypted = models.TextField(_("service account (encrypted)"), blank=True, editable=False)
    base_url = models.URLField(_("base URL"), blank=True, help_text=_("Only for OpenAI-compatible servers (vLLM, Ollama, LM Studio...)."))
    enabled = models.BooleanField(_("enabled"), default=True)
    timeout_seconds = models.PositiveIntegerField(_("timeout (seconds)"), default=60)
    config = models.JSONField(_("configuration"), default=dict, blank=True)
    # Alert the superadmins when this provider's estimated cost for a day passes this (USD);
    # empty: AI_DAILY_COST_ALERT_USD, or the "one provider's cost" alert rule when that is 0.
    daily_cost_alert_usd = models.DecimalField(_("daily cost alert (USD)"), max_digits=10, decimal_places=2,
                                               null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True, editable=False)
    last_check_ok = models.BooleanField(_("last check OK"), null=True, editable=False)
    last_check_message = models.CharField(_("last check message"), max_length=255, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("AI provider")
        verbose_name_plural = _("AI providers")

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The name in the reader's language (the seeded offline provider's name is translated)."""
        return stored_message(self.name)

    @property
    def has_key(self) -> bool:
        return bool(self.api_key_encrypted)

    def api_key(self) -> str:
        """The decrypted key, for the duration of one call. Raises crypto.InvalidToken when no
        configured encryption key opens it."""
        return crypto.decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    def credentials(self) -> str:
        """The decrypted service-account JSON (Vertex AI), for the duration of one call."""
        return crypto.decrypt(self.credentials_encrypted) if self.credentials_encrypted else ""

    def key_hint(self) -> str:
        if not self.api_key_encrypted:
            return ""
        try:
            return "••••" + self.api_key()[-4:]
        except crypto.InvalidToken:
            return "(cannot decrypt: check FIELD_ENCRYPTION_KEYS)"


class AIModel(TimeStamped):
    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio")

    class Tier(models.TextChoices):
        FAST = "fast", _("Fast")
        PREMIUM = "premium", _("Premium")

    class CostUnit(models.TextChoices):
        PER_1K_TOKENS = "1k_tokens", _("per 1,000 tokens")
        PER_IMAGE = "image", _("per image")
        PER_SECOND = "second", _("per second")
        PER_CALL = "call", _("per call")

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="models", verbose_name=_("provider"))
    model_id = models.CharField(_("vendor model id"), max_length=160)
    display_name = models.CharField(_("display name"), max_length=80)
    type = models.CharField(_("type"), max_length=8, choices=Type.choices)
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices, default=Tier.FAST)
    cap_streaming = models.BooleanField(_("streaming"), default=False)
    cap_t2i = models.BooleanField(_("text to image"), default=False)
    cap_i2i = models.BooleanField(_("image to image"), default=False)
    cap_multi_reference = models.BooleanField(_("multiple references"), default=False)
    max_references = models.PositiveIntegerField(_("max references"), default=1)
    cap_i2v = models.BooleanField(_("image to video"), default=False)
    cap_upscale = models.BooleanField(_("upscale"), default=False)
    durations = models.JSONField(_("video durations (s)"), default=list, blank=True)
    cap_tts = models.BooleanField(_("text to speech"), default=False)
    cap_lipsync = models.BooleanField(_("lip-sync"), default=False)
    # A lip-sync model that also takes a video as the face (not only a picture).
    cap_lipsync_video = models.BooleanField(_("lip-sync from a video"), default=False)
    credit_cost = models.PositiveIntegerField(
        _("credit cost"), null=True, blank=True, help_text=_("Empty: the default credit cost of its kind.")
    )
    est_cost_usd = models.DecimalField(_("estimated vendor cost (USD)"), max_digits=10, decimal_places=6, default=0)
    cost_unit = models.CharField(_("cost unit"), max_length=10, choices=CostUnit.choices, default=CostUnit.PER_CALL)
    priority = models.PositiveIntegerField(_("fallback priority"), default=100, help_text=_("Lower is tried first."))
    enabled = models.BooleanField(_("enabled"), default=True)
    is_default = models.BooleanField(_("default for its type"), default=False)
    cache_ttl_seconds = models.PositiveIntegerField(
        _("identical-request cache (s)"), default=0, help_text=_("Text only. 0 turns the cache off.")
    )
    config = models.JSONField(
        _("model options"), default=dict, blank=True,
        help_text=_("Vendor options for this model, e.g. DALL-E 3: {\"quality\": \"hd\", \"sizes\": {\"square\": "
                    "\"1024x1024\", \"wide\": \"1792x1024\", \"tall\": \"1024x1792\"}}."),
    )
    cooldown_until = models.DateTimeField(_("cooling down until"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["type", "priority", "id"]
        verbose_name = _("AI model")
        verbose_name_plural = _("AI models")
        constraints = [
            models.UniqueConstraint(fields=["type"], condition=Q(is_default=True), name="aimodel_one_default_per_type"),
            models.UniqueConstraint(fields=["provider", "model_id"], name="aimodel_unique_per_provider"),
        ]
        indexes = [
            # The router: enabled models of a type, by priority.
            models.Index(fields=["type", "enabled", "priority"], name="aimodel_router_idx"),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.provider.name})" if self.provider_id else self.display_name

    @property
    def label(self) -> str:
        """display_name in the reader's language (the seeded offline models' names are translated;
        a name the superadmin wrote is shown as it is)."""
        return stored_message(self.display_name)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.cache_ttl_seconds and self.type != self.Type.TEXT:
            raise ValidationError({"cache_ttl_seconds": _("Only text answers are cached; images and videos never are.")})

    @property
    def capabilities(self) -> list[str]:
        """What the model can do, as short labels in the reader's language (the admin's list)."""
        caps = [str(label) for flag, label in (
            ("streaming", _("stream")), ("t2i", "t2i"), ("i2i", "i2i"), ("i2v", "i2v"), ("upscale", _("upscale")),
            ("tts", "tts"), ("lipsync", _("lip-sync")), ("lipsync_video", _("lip-sync from video")),
        ) if getattr(self, f"cap_{flag}")]
        if self.cap_multi_reference:
            caps.append(gettext("multi-ref ×%(n)s") % {"n": self.max_references})
        if self.durations:
            caps.append("/".join(str(d) for d in self.durations) + " s")
        return caps

    def in_cooldown(self, now=None) -> bool:
        return bool(self.cooldown_until and self.cooldown_until > (now or timezone.now()))

    def supports(self, capability: str) -> bool:
        return capability in ("", None) or bool(getattr(self, f"cap_{capability}", False))


class UsageLog(models.Model):
    """One attempt at one vendor call. Kept even when a stream was cut off midway."""

    class Status(models.TextChoices):
        OK = "ok", _("OK")
        ERROR = "error", _("Error")
        PARTIAL = "partial", _("Cut off")
        CACHED = "cached", _("From cache")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("user"))
    provider = models.ForeignKey(Provider, null=True, on_delete=models.SET_NULL, related_name="usage", verbose_name=_("provider"))
    model = models.ForeignKey(AIModel, null=True, on_delete=models.SET_NULL, related_name="usage", verbose_name=_("model"))
    kind = models.CharField(_("kind"), max_length=16)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    first_token_ms = models.PositiveIntegerField(_("first token (ms)"), null=True, blank=True)
    tokens_in = models.PositiveIntegerField(_("tokens in"), default=0)
    tokens_out = models.PositiveIntegerField(_("tokens out"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    credits_charged = models.PositiveIntegerField(_("credits charged"), default=0)
    est_cost_usd = models.DecimalField(_("estimated cost (USD)"), max_digits=12, decimal_places=6, default=0)
    error_class = models.CharField(_("error class"), max_length=80, blank=True)
    error_message = models.CharField(_("error message"), max_length=500, blank=True)
    request_id = models.CharField(_("request ID"), max_length=160, blank=True)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("usage log entry")
        verbose_name_plural = _("usage log")
        indexes = [
            # Daily cost sums and reports are date-bounded, per provider / per model.
            models.Index(fields=["created_at"], name="usage_created_idx"),
            models.Index(fields=["provider", "created_at"], name="usage_provider_day_idx"),
            models.Index(fields=["model", "created_at"], name="usage_model_day_idx"),
            models.Index(fields=["reference"], name="usage_reference_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.status} ({self.latency_ms} ms)"


class CostAlert(models.Model):
    """One row per (day, provider, threshold) whose alert email went out: never twice."""

    day = models.DateField(_("day"))
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+", verbose_name=_("provider"))
    threshold_usd = models.DecimalField(_("threshold (USD)"), max_digits=10, decimal_places=2)
    total_usd = models.DecimalField(_("total (USD)"), max_digits=12, decimal_places=6)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cost alert")
        verbose_name_plural = _("cost alerts")
        constraints = [
            models.UniqueConstraint(fields=["day", "provider", "threshold_usd"], name="costalert_once_per_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.provider}: {self.total_usd} ≥ {self.threshold_usd}"


class WebhookEvent(models.Model):
    """A verified vendor webhook as received (append-only). The unique id is what makes a
    re-delivered or replayed webhook a no-op: it is inserted before anything acts on it."""

    provider = models.CharField(_("provider"), max_length=20, choices=Provider.Kind.choices)
    event_id = models.CharField(_("event ID"), max_length=200)
    prediction_id = models.CharField(_("prediction ID"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, blank=True)
    matched = models.BooleanField(_("matched"), default=False, help_text=_("A running job had this prediction id."))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            # The receiver's duplicate check: insert, and an IntegrityError means "seen before".
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhookevent_once_per_provider"),
        ]

    def __str__(self):
        return f"{self.provider} {self.event_id} ({self.prediction_id} {self.status})"


# The usage log's daily roll-ups (analytics) are declared beside this module, imported here to be models.
from .rollup_models import EarnedDay, UsageDay  # noqa: E402, F401
