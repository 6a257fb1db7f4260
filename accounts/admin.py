from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from modo.admin import QuickActionCheckbox, breakable, stacked

from .models import ApiToken, Notification, User


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(BaseUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(QuickActionCheckbox, BaseUserAdmin):
    """The account itself. The control room's User page (modo.admin_site.users) builds on it with the
    credits and jobs panels of the apps above accounts."""

    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["-date_joined"]
    list_display = ["email", "display_name", "last_login", "is_active"]
    list_filter = ["is_active", "is_staff", "is_superuser", "locale"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["public_id", "date_joined", "last_login", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["email", "password", "public_id"]}),
        (_("Profile"), {"fields": ["display_name", "avatar", "locale", "timezone", "storage_preference"]}),
        # A bounce or complaint stops email; clearing the date (after a fixed address) resumes it.
        (_("Email delivery"), {"fields": ["email_undeliverable_at", "email_undeliverable_reason", "low_credits_threshold"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["date_joined", "last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = ["deactivate"]

    # Two columns for the control room's narrow list (modo.admin_site.users): who it is in one (a long
    # address may break before its @ or a dot of its name), and the last login free to wrap (the
    # field's own column keeps its date and time on one line).
    @admin.display(description=_("User"), ordering="email")
    def user(self, obj):
        email = breakable(obj.email)
        if not obj.display_name:
            return email
        return stacked(email, obj.display_name)

    @admin.display(description=User._meta.get_field("last_login").verbose_name, ordering="last_login")
    def last_seen(self, obj):
        return formats.localize(timezone.template_localtime(obj.last_login)) if obj.last_login else None

    @admin.action(description=_("Deactivate (they can no longer sign in)"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, gettext("%(count)s user(s) deactivated.") % {"count": count})


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    # The hash is useless to a person and the token itself is never stored.
    exclude = ["token_hash"]
    readonly_fields = ["public_id", "user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What was announced to whom, and whether it was emailed (read-only: the inbox is theirs)."""

    list_display = ["created_at", "user", "kind", "subject", "in_app", "read_at", "email_state", "emailed_at"]
    list_select_related = ["user"]
    list_filter = ["kind", "email_state", "in_app", "created_at"]
    search_fields = ["user__email", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = ["public_id", "user", "kind", "subject", "params", "url", "image_url", "image_asset", "in_app",
                       "read_at", "email_state", "emailed_at", "created_at"]
    exclude = ["updated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
