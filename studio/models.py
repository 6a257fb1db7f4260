"""The IP Bible: projects and their sections, and AI drafts of their fields."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from modo.i18n import stored_message
from modo.models import TimeStamped


class LiveManager(models.Manager):
    """A bible section's rows outside the trash: the default manager, so every read (selectors,
    related managers such as project.characters, counts, exports, the showcase, the API) leaves
    trashed sections out. The trash, restore and purge read `with_deleted`."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Project(TimeStamped):
    class Format(models.TextChoices):
        SERIES = "series", _("Series")
        FILM = "film", _("Film")
        COMIC = "comic", _("Comic")
        GAME = "game", _("Game")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Private")
        PUBLISHED = "published", _("Published")

    class Genre(models.TextChoices):
        FANTASY = "fantasy", _("Fantasy")
        SCI_FI = "sci_fi", _("Science fiction")
        ADVENTURE = "adventure", _("Adventure")
        # The genre ("film aksi"), apart from an action a picture shows (Moodboard.action).
        ACTION = "action", pgettext_lazy("genre", "Action")
        DRAMA = "drama", _("Drama")
        COMEDY = "comedy", _("Comedy")
        ROMANCE = "romance", _("Romance")
        MYSTERY = "mystery", _("Mystery")
        HORROR = "horror", _("Horror")
        SLICE_OF_LIFE = "slice_of_life", _("Slice of life")
        FOLKLORE = "folklore", _("Folklore & myth")
        OTHER = "other", _("Other")

    SECTIONS = ("story", "characters", "world", "scenes", "script")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    # The creator. A team's project (`team` set) is reached through the team's memberships, not
    # through `owner` (a creator who leaves the team loses it like anyone else).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects",
                              verbose_name=_("owner"))
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="projects",
                             verbose_name=_("team"))
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    logline = models.CharField(_("logline"), max_length=300, blank=True)
    premise = models.TextField(_("premise"), blank=True)
    genre = models.CharField(_("genre"), max_length=20, choices=Genre.choices, blank=True)
    tone = models.CharField(_("tone"), max_length=120, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.SERIES)
    target_audience = models.CharField(_("target audience"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    published_sections = models.JSONField(_("published sections"), default=list, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The name a published bible is signed with, asked for on the publish page (blank: the display name).
    pen_name = models.CharField(_("pen name"), max_length=80, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The primary image of the project's own gallery (studio.gallery.services.asset_set_primary keeps it).
    cover = models.ForeignKey("media.MediaAsset", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("cover"))

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            # The studio list: an owner's live projects, recently edited first.
            models.Index(fields=["owner", "deleted_at", "-updated_at"], name="project_owner_list_idx"),
            # A team's studio list: partial, as most projects are personal.
            models.Index(fields=["team", "deleted_at", "-updated_at"], name="project_team_list_idx",
                         condition=Q(team__isnull=False)),
            # The showcase: published, not deleted, newest first.
            models.Index(fields=["visibility", "deleted_at", "-published_at"], name="project_showcase_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.visibility == self.Visibility.PUBLISHED and self.deleted_at is None

    @property
    def byline(self) -> str:
        """Who a published bible is by: the pen name, else the creator's display name, else a
        neutral name — never the email address nor any part of it."""
        return self.pen_name.strip() or self.owner.display_name.strip() or gettext("a MODO creator")


class Story(TimeStamped):
    class Structure(models.TextChoices):
        THREE_ACT = "three_act", _("Three-act structure")
        SAVE_THE_CAT = "save_the_cat", _("Save the Cat beats")
        HEROS_JOURNEY = "heros_journey", _("Hero's Journey")

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="story", verbose_name=_("project"))
    synopsis = models.TextField(_("synopsis"), blank=True)
    themes = models.TextField(_("themes"), blank=True)
    structure = models.CharField(_("structure"), max_length=16, choices=Structure.choices, default=Structure.THREE_ACT)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self):
        return f"Story of {self.project}"


class Beat(TimeStamped):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beats", verbose_name=_("project"))
    order = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    # In the project's trash (restorable for 30 days) when set; every read leaves it out.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The links to it that trashing unset (scenes' and moodboards' ids by field), set again on restore.
    trash_links = models.JSONField(_("links to restore"), default=dict, blank=True)

    objects = LiveManager()
    with_deleted = models.Manager()

    class Meta:
        verbose_name = _("beat")
        verbose_name_plural = _("beats")
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class Character(TimeStamped):
    class Role(models.TextChoices):
        PROTAGONIST = "protagonist", _("Protagonist")
        ANTAGONIST = "antagonist", _("Antagonist")
        DEUTERAGONIST = "deuteragonist", _("Deuteragonist")
        SUPPORTING = "supporting", _("Supporting")
        MENTOR = "mentor", _("Mentor")
        LOVE_INTEREST = "love_interest", _("Love interest")
        SIDEKICK = "sidekick", _("Sidekick")
        MINOR = "minor", _("Minor")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="characters", verbose_name=_("project"))
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SUPPORTING)
    age = models.CharField(_("age"), max_length=40, blank=True)
    appearance = models.TextField(_("appearance"), blank=True)
    clothing = models.TextField(_("clothing"), blank=True)
    accessories = models.TextField(_("accessories"), blank=True)
    personality = models.TextField(_("personality"), blank=True)
    backstory = models.TextField(_("backstory"), blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    visual_style = models.TextField(_("visual style"), blank=True)
    # The character's reference sheet: the primary image of its gallery (kept by studio.gallery.services.asset_set_primary).
    primary_image = models.ForeignKey("media.MediaAsset", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("primary image"))
    # How the character speaks (studio.generate.voice.VOICE_FIELDS): {"model": AIModel id, "voice": the
    # provider's voice id, "language": "en" | "id", "speed": 0.5–2.0, "pitch": 0–100}; empty: not set.
    voice = models.JSONField(_("voice"), default=dict, blank=True)
    order = models.PositiveIntegerField(_("position"), default=0)

    TEXT_FIELDS = ("appearance", "clothing", "accessories", "personality", "backstory", "motivation", "visual_style")

    # In the project's trash (restorable for 30 days) when set; every read leaves it out.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The links to it that trashing unset (scenes' and moodboards' ids by field), set again on restore.
    trash_links = models.JSONField(_("links to restore"), default=dict, blank=True)

    objects = LiveManager()
    with_deleted = models.Manager()

    class Meta:
        verbose_name = _("character")
        verbose_name_plural = _("characters")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["project", "order"], name="character_project_order_idx")]

    def __str__(self):
        return self.name


class LiveRelationshipManager(models.Manager):
    """Relationships between two characters outside the trash (see LiveManager)."""

    def get_queryset(self):
        return super().get_queryset().filter(source__deleted_at__isnull=True, target__deleted_at__isnull=True)


class Relationship(TimeStamped):
    """A typed link between two characters of one project; pages show it from both ends."""

    objects = LiveRelationshipManager()

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family")
        FRIEND = "friend", _("Friend")
        ALLY = "ally", _("Ally")
        RIVAL = "rival", _("Rival")
        ENEMY = "enemy", _("Enemy")
        MENTOR = "mentor", _("Mentor of")
        ROMANCE = "romance", _("Romance")
        OTHER = "other", _("Other")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="relationships_out", verbose_name=_("source"))
    target = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="relationships_in", verbose_name=_("target"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="relationship_not_self"),
            models.UniqueConstraint(fields=["source", "target", "kind"], name="relationship_unique"),
        ]

    def __str__(self):
        return f"{self.source} → {self.target} ({self.kind})"


class World(TimeStamped):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="world", verbose_name=_("project"))
    setting = models.TextField(_("setting"), blank=True)
    history = models.TextField(_("history"), blank=True)
    culture = models.TextField(_("culture"), blank=True)
    rules = models.TextField(_("rules, magic & technology"), blank=True)

    TEXT_FIELDS = ("setting", "history", "culture", "rules")

    class Meta:
        verbose_name = _("world")
        verbose_name_plural = _("worlds")

    def __str__(self):
        return f"World of {self.project}"


class Location(TimeStamped):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="locations", verbose_name=_("project"))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    visual_notes = models.TextField(_("visual notes"), blank=True)
    order = models.PositiveIntegerField(_("position"), default=0)

    TEXT_FIELDS = ("description", "visual_notes")

    # In the project's trash (restorable for 30 days) when set; every read leaves it out.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The links to it that trashing unset (scenes' and moodboards' ids by field), set again on restore.
    trash_links = models.JSONField(_("links to restore"), default=dict, blank=True)

    objects = LiveManager()
    with_deleted = models.Manager()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Scene(TimeStamped):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scenes", verbose_name=_("project"))
    order = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=160)
    beat = models.ForeignKey(Beat, null=True, blank=True, on_delete=models.SET_NULL, related_name="scenes",
                             verbose_name=_("beat"))
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="scenes",
                                 verbose_name=_("location"))
    characters = models.ManyToManyField(Character, blank=True, related_name="scenes", verbose_name=_("characters"))
    description = models.TextField(_("description"), blank=True)
    mood = models.CharField(_("mood"), max_length=120, blank=True)
    script = models.TextField(_("script"), blank=True, help_text=_("Screenplay format."))

    TEXT_FIELDS = ("description", "script")

    # In the project's trash (restorable for 30 days) when set; every read leaves it out.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The links to it that trashing unset (scenes' and moodboards' ids by field), set again on restore.
    trash_links = models.JSONField(_("links to restore"), default=dict, blank=True)

    objects = LiveManager()
    with_deleted = models.Manager()

    class Meta:
        verbose_name = _("scene")
        verbose_name_plural = _("scenes")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["project", "order"], name="scene_project_order_idx")]

    def __str__(self):
        return self.title


class Draft(TimeStamped):
    """An AI-written version of one field, kept until the creator accepts or discards it; the
    text it replaced is kept too, so an accepted draft can be undone."""

    class Status(models.TextChoices):
        STREAMING = "streaming", _("Writing")
        READY = "ready", _("Ready")
        INCOMPLETE = "incomplete", _("Incomplete")
        ACCEPTED = "accepted", _("Accepted")
        DISCARDED = "discarded", _("Discarded")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("project"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner"))
    # What it is for: ("story", "synopsis"), ("character", <uuid>, "backstory"), ("free", "") ...
    target_kind = models.CharField(_("target"), max_length=12)
    target_id = models.UUIDField(_("target ID"), null=True, blank=True)
    field = models.CharField(_("field"), max_length=40)
    prompt = models.TextField(_("prompt"), blank=True)
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.STREAMING)
    error_message = models.CharField(_("error message"), max_length=300, blank=True)
    model_name = models.CharField(_("model"), max_length=120, blank=True)
    credits_charged = models.PositiveIntegerField(_("credits charged"), default=0)
    canon = models.JSONField(_("canon"), default=list, blank=True)
    replaced_text = models.TextField(_("replaced text"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-created_at"]
        indexes = [
            # A field's draft history, newest first.
            models.Index(fields=["project", "target_kind", "target_id", "field", "-created_at"], name="draft_target_idx"),
            # Admin analytics: text drafts started in a period.
            models.Index(fields=["created_at"], name="draft_created_idx"),
        ]

    def __str__(self):
        return f"Draft of {self.target_kind}.{self.field} ({self.status})"

    @property
    def error_text(self) -> str:
        """error_message (an English msgid, as the provider gave it) in the reader's language."""
        return stored_message(self.error_message)

    @property
    def model_label(self) -> str:
        return stored_message(self.model_name)


class Moodboard(TimeStamped):
    """A picture of a moment: characters (by their reference sheets) in a scene and a setting,
    with a pose and an action. Its images are media assets targeted at it."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="moodboards", verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=120)
    scene = models.ForeignKey(Scene, null=True, blank=True, on_delete=models.SET_NULL, related_name="moodboards",
                              verbose_name=_("scene"))
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="moodboards",
                                 verbose_name=_("location"))
    characters = models.ManyToManyField(Character, blank=True, related_name="moodboards", verbose_name=_("characters"))
    pose = models.CharField(_("pose"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    order = models.PositiveIntegerField(_("position"), default=0)

    # In the project's trash (restorable for 30 days) when set; every read leaves it out.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # The links to it that trashing unset (scenes' and moodboards' ids by field), set again on restore.
    trash_links = models.JSONField(_("links to restore"), default=dict, blank=True)

    objects = LiveManager()
    with_deleted = models.Manager()

    class Meta:
        verbose_name = _("moodboard")
        verbose_name_plural = _("moodboards")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["project", "order"], name="moodboard_project_order_idx")]

    def __str__(self):
        return self.title


class ImagePreset(TimeStamped):
    """A style or size choice offered when generating an image: data the superadmin edits, not code."""

    class Kind(models.TextChoices):
        STYLE = "style", _("Style")
        SIZE = "size", _("Size")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    prompt = models.CharField(_("prompt words"), max_length=300, blank=True, help_text=_("Styles: added to the prompt."))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, help_text=_("Sizes only."))
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, help_text=_("Sizes only."))
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("image preset")
        verbose_name_plural = _("image presets")
        ordering = ["kind", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="imagepreset_unique_key")]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the reader's language when it is one of the seeded (translated) labels."""
        return stored_message(self.label)


class Generation(TimeStamped):
    """One AI job (an image, a moodboard, an animation): requested, held in credits, run by a
    worker, and settled exactly once — captured on success, released on every other end."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHARACTER_IMAGE = "character_image", _("Character image")
        MOODBOARD = "moodboard", _("Moodboard")
        ANIMATION = "animation", _("Animation")
        UPSCALE = "upscale", _("Upscale")
        RESTYLE = "restyle", _("Restyle")
        VOICE = "voice", _("Voice line")
        LIPSYNC = "lipsync", _("Lip-sync")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generations",
                              verbose_name=_("owner"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="generations", verbose_name=_("project"))
    # Where the result goes: ("character", <uuid>), ("moodboard", <uuid>) ... (media.MediaAsset.Target)
    target_kind = models.CharField(_("target"), max_length=12)
    target_id = models.UUIDField(_("target ID"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    prompt = models.TextField(_("prompt"), blank=True)
    model_requested = models.ForeignKey("aiproviders.AIModel", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("model requested"))
    model_used = models.ForeignKey("aiproviders.AIModel", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("model used"))
    hold = models.OneToOneField("credits.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="generation",
                                verbose_name=_("hold"))
    credits_quoted = models.PositiveIntegerField(_("credits quoted"), default=0)
    cost_charged = models.PositiveIntegerField(_("credits charged"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    vendor_job_id = models.CharField(_("vendor job ID"), max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_message = models.CharField(_("progress message"), max_length=200, blank=True)
    output_asset = models.ForeignKey("media.MediaAsset", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("output asset"))
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    # progress_message and error_message hold an English msgid, error_params its parameters: they
    # are written by a worker that has no reader, and shown in the reader's language (*_text).
    error_message = models.CharField(_("error message"), max_length=500, blank=True)
    error_params = models.JSONField(_("error parameters"), default=dict, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    input_hash = models.CharField(_("input hash"), max_length=64, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    # Set once by whoever stores the vendor's finished output (the worker's poll or the webhook).
    finishing_at = models.DateTimeField(_("finishing since"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # A running job is its worker's until then; the worker renews it while it works. Past it, the
    # worker is presumed dead: the job may be claimed again (worker.py) and no longer counts
    # against the creator's cap on running jobs.
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("generation")
        verbose_name_plural = _("generations")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The creator's recent jobs (jobs panel, API list, concurrency cap).
            models.Index(fields=["owner", "-created_at"], name="generation_owner_recent_idx"),
            # Admin analytics: jobs started in a period, per day.
            models.Index(fields=["created_at"], name="generation_created_idx"),
            # The cap on running jobs: a creator's active ones, however many jobs they ran before.
            models.Index(fields=["owner"], name="generation_owner_active_idx",
                         condition=Q(status__in=["queued", "running"])),
            # The sweeper: active jobs, oldest first.
            models.Index(fields=["status", "queued_at"], name="generation_sweep_idx",
                         condition=Q(status__in=["queued", "running"])),
            # The vendor's webhook finds its job by prediction id.
            models.Index(fields=["vendor_job_id"], name="generation_vendor_job_idx", condition=~Q(vendor_job_id="")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["owner", "idempotency_key"], name="generation_unique_idempotency_key",
                                    condition=~Q(idempotency_key="")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def progress_text(self) -> str:
        return stored_message(self.progress_message)

    @property
    def error_text(self) -> str:
        return stored_message(self.error_message, self.error_params)


class WatchClip(TimeStamped):
    """A clip (an animation, a lip-sync) its creator chose to show on /watch/ (the "Show on Watch"
    ticks of the publish page). It is shown only while its bible is published, the section that
    holds what it animates is published, and the video and that object still exist."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="watch_clips")
    asset = models.OneToOneField("media.MediaAsset", on_delete=models.CASCADE, related_name="watch_clip")

    class Meta:
        verbose_name = _("Watch clip")
        verbose_name_plural = _("Watch clips")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The Watch grid: newest first.
            models.Index(fields=["-created_at"], name="watchclip_recent_idx"),
        ]

    def __str__(self):
        return f"Watch clip {self.asset_id} of {self.project}"


# The studio's daily roll-ups (analytics) are declared beside this module, imported here to be models.
from .rollup_models import ActiveDay, ActiveWindow, JobDay  # noqa: E402, F401
