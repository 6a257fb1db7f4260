import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

TIMEZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


def avatar_upload_to(instance, filename):
    # Keys are generated, never the uploader's file name.
    return f"avatars/{instance.public_id}/{uuid.uuid4().hex}.webp"


class User(AbstractBaseUser, PermissionsMixin):
    """A creator (or staff). The email address is the login."""

    class Locale(models.TextChoices):
        EN = "en", "English"
        ID = "id", "Bahasa Indonesia"

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_to, blank=True)
    locale = models.CharField(_("language"), max_length=8, choices=Locale.choices, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    # Where new generated and uploaded files go (media/): our storage or the creator's Google Drive.
    storage_preference = models.CharField(
        _("storage"), max_length=10, choices=[("platform", _("MODO storage")), ("drive", _("My Google Drive"))],
        default="platform",
    )
    # The workspace the app shell shows (projects, jobs, gallery, credits): empty is the personal
    # one. Only ever a team the user belongs to (accounts.teams.workspace_switch checks it; reads
    # re-check membership, so a removed member falls back to personal).
    current_team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("current workspace"))
    # Notifications: "credits running low" below this many available credits (0: never).
    low_credits_threshold = models.PositiveIntegerField(_("warn me below"), default=20)
    # Set when the mail vendor reports a bounce or a complaint: nothing more is emailed there.
    email_undeliverable_at = models.DateTimeField(_("email undeliverable since"), null=True, blank=True)
    email_undeliverable_reason = models.CharField(_("why email is undeliverable"), max_length=200, blank=True)
    # The bell's number, kept with the user row every page loads anyway (no query of its own);
    # changed only by accounts/notifications/services.py.
    notifications_unread = models.PositiveIntegerField(_("unread notifications"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=dj_timezone.now)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Login looks users up case-insensitively; two spellings of one address are one person.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [
            # The admin's user list: newest first (its ordering, then the primary key), one page.
            models.Index(fields=["-date_joined", "-id"], name="user_joined_recent_idx"),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@")[0]

    @property
    def initials(self) -> str:
        name = self.get_short_name().strip()
        parts = [p for p in name.replace(".", " ").split() if p]
        return ("".join(p[0] for p in parts[:2]) or "?").upper()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once at creation."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=16)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [
            # The settings page lists a user's live tokens, newest first.
            models.Index(fields=["user", "revoked_at", "-created_at"], name="apitoken_user_live_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def team_avatar_upload_to(instance, filename):
    return f"team-avatars/{instance.public_id}/{uuid.uuid4().hex}.webp"


class Team(models.Model):
    """A studio: members share its projects and pay from its credit account (credits.CreditAccount
    with `team` set). Its owner is the member whose role is owner (exactly one: a constraint)."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=90, unique=True)
    avatar = models.ImageField(_("avatar"), upload_to=team_avatar_upload_to, blank=True)
    # Where the team's generated files go: MODO storage, or the owner's Google Drive (only when the
    # owner connected it; a member's own Drive is never written for a team project).
    storage_preference = models.CharField(
        _("storage"), max_length=10, choices=[("platform", _("MODO storage")), ("drive", _("The owner's Google Drive"))],
        default="platform",
    )
    # Deleting a team ends every membership and invitation; its rows stay (its account's ledger is
    # append-only and its projects are kept for support), reachable by no one.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def initials(self) -> str:
        """Shown where the team has no picture: the first letters of its first two words."""
        parts = [p for p in self.name.replace(".", " ").replace("-", " ").split() if p[:1].isalnum()]
        return ("".join(p[0] for p in parts[:2]) or "?").upper()


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    Role = Role

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.EDITOR)
    # Credits this member may spend from the team's account per plan cycle of that account (a month
    # from its cycle's start: credits.selectors.usage_cycle), running jobs' holds included (empty: no cap).
    monthly_credit_cap = models.PositiveIntegerField(_("monthly credit cap"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["team", "created_at", "id"]
        constraints = [
            # Every access check looks up (user, team): one row at most, and its index.
            models.UniqueConstraint(fields=["user", "team"], name="membership_user_team_uniq"),
            # A team has exactly one owner at a time (transfer swaps roles in one transaction).
            models.UniqueConstraint(fields=["team"], condition=models.Q(role="owner"), name="membership_one_owner"),
        ]
        indexes = [
            # The team page: a team's members.
            models.Index(fields=["team", "role"], name="membership_team_role_idx"),
        ]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"


class Invitation(models.Model):
    """An invitation by email. Only the SHA-256 of its token is stored; the link carries the token."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=8, choices=[c for c in Role.choices if c[0] != Role.OWNER],
                            default=Role.EDITOR)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The invitee said no (from their invitations page): the invitation, and its link, are closed.
    declined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [
            # The team page: a team's open invitations, and the rate limit's count of recent ones.
            models.Index(fields=["team", "-created_at"], name="invitation_team_recent_idx"),
            # The invitee's page: the invitations addressed to their verified addresses (stored lowercased).
            models.Index(fields=["email", "-created_at"], name="invitation_email_recent_idx"),
        ]

    def __str__(self):
        return f"{self.email} → {self.team}"

    @property
    def is_open(self) -> bool:
        return (self.accepted_at is None and self.revoked_at is None and self.declined_at is None
                and self.expires_at > dj_timezone.now())


class Notification(models.Model):
    """One message in a creator's inbox. What it says is rendered from `kind` and `params` in the
    reader's language when shown or emailed (accounts/notifications/kinds.py), never stored as text."""

    class Kind(models.TextChoices):
        JOB_FINISHED = "job_finished", _("A job finished")
        JOB_FAILED = "job_failed", _("A job failed")
        ORDER_PAID = "order_paid", _("An order was paid")
        ORDER_EXPIRED = "order_expired", _("An order expired")
        CREDITS_LOW = "credits_low", _("Credits running low")
        TRIAL_ENDING = "trial_ending", _("Trial ending soon")
        TRIAL_ENDED = "trial_ended", _("Trial ended")
        TEAM_INVITATION = "team_invitation", _("Team invitation")
        DRIVE_FILE_LOST = "drive_file_lost", _("A Google Drive file can no longer be opened")

    class Email(models.TextChoices):
        NONE = "none", _("Not emailed")
        PENDING = "pending", _("Waiting to be emailed")
        SENDING = "sending", _("Being emailed")
        SENT = "sent", _("Emailed")
        SKIPPED = "skipped", _("Not emailed (address undeliverable)")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # What it is about ("generation:<uuid>", "order:<uuid>"): one notification per subject and kind.
    subject = models.CharField(_("subject"), max_length=120, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    image_url = models.CharField(_("image URL"), max_length=500, blank=True)
    # The media asset whose picture the email shows (made by the email task through the source
    # media registers: notifications/pictures.py); a bare id, since accounts imports no media.
    image_asset = models.UUIDField(_("image asset"), null=True, blank=True)
    in_app = models.BooleanField(_("in the app"), default=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_state = models.CharField(_("email"), max_length=8, choices=Email.choices, default=Email.NONE)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=dj_timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "subject"], condition=~models.Q(subject=""),
                                    name="notification_once_per_subject"),
        ]
        indexes = [
            # The inbox page (newest first) and the bell's unread count.
            models.Index(fields=["user", "in_app", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True, in_app=True),
                         name="notification_unread_idx"),
            # The email flush: what is still waiting to be emailed.
            models.Index(fields=["user", "kind"], condition=models.Q(email_state="pending"),
                         name="notification_email_due_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.subject}"


class NotificationPreference(models.Model):
    """How a creator wants one kind of notification; no row means the default (in-app and email)."""

    class Channel(models.TextChoices):
        ALL = "all", _("In the app and by email")
        APP = "app", _("In the app only")
        EMAIL = "email", _("By email only")
        OFF = "off", _("Off")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=24, choices=Notification.Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ALL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notificationpref_once_per_kind")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.channel}"


class EmailThrottle(models.Model):
    """When a user was last emailed about one kind: at most one email per kind per window, the
    rest wait for a digest. Its row is locked while an email is claimed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Notification.Kind.choices)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email throttle")
        verbose_name_plural = _("email throttles")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="emailthrottle_once_per_kind")]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.last_sent_at}"
