"""Every image and video a creator makes, uploads or links, and their Google Drive connections."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modo import crypto
from modo.i18n import stored_message
from modo.models import TimeStamped


class MediaAsset(TimeStamped):
    class Target(models.TextChoices):
        # What the asset belongs to: (target_kind, target_id) names one object by its public id.
        PROJECT = "project", _("Project")  # the project's own gallery; its primary image is the cover
        CHARACTER = "character", _("Character")
        LOCATION = "location", _("Location")
        SCENE = "scene", _("Scene")
        MOODBOARD = "moodboard", _("Moodboard")
        ANIMATION = "animation", _("Animation")

    class MediaType(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio")

    class Source(models.TextChoices):
        GENERATED = "generated", _("Generated")
        UPLOADED = "uploaded", _("Uploaded")
        LINKED = "linked", _("Linked from Drive")
        REPLACED = "replaced", _("Replaced")

    class Storage(models.TextChoices):
        PLATFORM = "platform", _("Platform storage")
        DRIVE = "drive", _("Google Drive")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assets", verbose_name=_("owner"))
    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="assets", verbose_name=_("project"))
    target_kind = models.CharField(_("target"), max_length=12, choices=Target.choices, default=Target.PROJECT)
    target_id = models.UUIDField(_("target id"))
    media_type = models.CharField(_("media type"), max_length=8, choices=MediaType.choices, default=MediaType.IMAGE)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    mime = models.CharField(_("MIME type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration = models.FloatField(_("duration"), null=True, blank=True, help_text=_("Seconds (video and audio)."))
    # Platform-storage key of a small WebP preview, made by a task for every kind of asset.
    thumbnail = models.CharField(_("thumbnail"), max_length=300, blank=True)
    source_type = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.UPLOADED)
    storage = models.CharField(_("storage"), max_length=10, choices=Storage.choices, default=Storage.PLATFORM)
    storage_key = models.CharField(_("storage key"), max_length=300, blank=True)
    drive_file_id = models.CharField(_("Drive file ID"), max_length=200, blank=True)
    drive_view_link = models.URLField(_("Drive link"), max_length=500, blank=True)
    thumbnail_link = models.URLField(_("thumbnail link"), max_length=1000, blank=True)
    public_url = models.URLField(_("public URL"), max_length=500, blank=True)
    original_url = models.URLField(_("original URL"), max_length=2048, blank=True)
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)
    # How a generated asset was made.
    gen_model = models.CharField(_("model"), max_length=120, blank=True)
    prompt = models.TextField(_("prompt"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    credits = models.PositiveIntegerField(_("credits"), default=0)
    vendor_request_id = models.CharField(_("vendor request ID"), max_length=200, blank=True)
    input_hash = models.CharField(_("input hash"), max_length=64, blank=True)
    # What a derived image was made from ("upscaled from …", "restyled from …"); kept when the
    # source is deleted (soft delete keeps the row), cleared only if the row itself goes.
    derived_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="derivatives", verbose_name=_("made from"))
    is_accessible = models.BooleanField(_("accessible"), default=True)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    is_favourite = models.BooleanField(_("favourite"), default=False)
    is_primary = models.BooleanField(_("primary"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("media asset")
        verbose_name_plural = _("media assets")
        indexes = [
            # A target's gallery: its live assets.
            models.Index(fields=["target_kind", "target_id", "deleted_at"], name="asset_target_idx"),
            # A creator's recent assets (API list, usage).
            models.Index(fields=["owner", "-created_at"], name="asset_owner_recent_idx"),
            # The admin's and the gallery's "inaccessible" filter.
            models.Index(fields=["is_accessible"], name="asset_accessible_idx",
                         condition=Q(is_accessible=False)),
            # The daily re-check of Drive files: oldest check first.
            models.Index(fields=["storage", "last_checked_at"], name="asset_drive_check_idx",
                         condition=Q(storage="drive", deleted_at__isnull=True)),
        ]
        constraints = [
            # One primary image per target.
            models.UniqueConstraint(fields=["target_kind", "target_id"], name="asset_one_primary_per_target",
                                    condition=Q(is_primary=True, deleted_at__isnull=True)),
        ]

    def __str__(self):
        return self.file_name or str(self.public_id)

    @property
    def gen_model_label(self) -> str:
        """The model's name in the reader's language (the offline models' names are translated)."""
        return stored_message(self.gen_model)

    @property
    def is_image(self) -> bool:
        return self.media_type == self.MediaType.IMAGE

    @property
    def is_video(self) -> bool:
        return self.media_type == self.MediaType.VIDEO

    @property
    def is_linked(self) -> bool:
        return self.source_type in (self.Source.LINKED, self.Source.REPLACED)


class DriveConnection(TimeStamped):
    """A creator's Google Drive, reached with their own OAuth tokens (encrypted at rest)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drive", verbose_name=_("user"))
    access_token_encrypted = models.TextField(_("access token (encrypted)"), blank=True)
    refresh_token_encrypted = models.TextField(_("refresh token (encrypted)"), blank=True)
    expires_at = models.DateTimeField(_("token expires at"), null=True, blank=True)
    scopes = models.CharField(_("scopes"), max_length=500, blank=True)
    drive_email = models.EmailField(_("Drive account"), blank=True)
    folder_id = models.CharField(_("app folder id"), max_length=200, blank=True)
    storage_used = models.PositiveBigIntegerField(_("storage used"), default=0)
    storage_limit = models.PositiveBigIntegerField(_("storage limit"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    connected_at = models.DateTimeField(_("connected at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Google Drive connection")
        verbose_name_plural = _("Google Drive connections")

    def __str__(self):
        return self.drive_email or str(self.user)

    # Plaintext tokens exist only in memory, for the length of a request.
    @property
    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_encrypted) if self.access_token_encrypted else ""

    @access_token.setter
    def access_token(self, value: str):
        self.access_token_encrypted = crypto.encrypt(value) if value else ""

    @property
    def refresh_token(self) -> str:
        return crypto.decrypt(self.refresh_token_encrypted) if self.refresh_token_encrypted else ""

    @refresh_token.setter
    def refresh_token(self, value: str):
        self.refresh_token_encrypted = crypto.encrypt(value) if value else ""
