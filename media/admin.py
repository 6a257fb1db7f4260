from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from modo.admin import LargeListAdmin, QuickActionCheckbox
from modo.errors import AppError

from . import services
from .models import DriveConnection, MediaAsset


@admin.register(MediaAsset)
class MediaAssetAdmin(LargeListAdmin, QuickActionCheckbox, admin.ModelAdmin):
    list_display = ["preview", "public_id", "owner", "project", "target_kind", "media_type", "source_type", "storage",
                    "size", "is_accessible", "is_primary", "deleted_at", "created_at"]
    list_filter = ["media_type", "source_type", "storage", "is_accessible", "target_kind", "created_at"]
    list_select_related = ["owner", "project"]
    search_fields = ["public_id", "owner__email", "project__title", "file_name", "drive_file_id"]
    ordering = ["-id"]  # newest first by the primary key's index (no index on created_at alone)
    raw_id_fields = ["owner", "project"]
    readonly_fields = [f.name for f in MediaAsset._meta.fields if f.name not in ("id",)]
    actions = ["recheck"]

    def has_add_permission(self, request):
        return False  # assets come from uploads, links and generations, never from a form

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        if not obj.thumbnail:
            return "—"
        url = reverse("admin:media_mediaasset_thumb", args=[obj.pk])
        return format_html('<img src="{}" alt="" width="64" height="64" style="object-fit:cover;border-radius:4px">', url)

    def get_urls(self):
        return [path("<int:pk>/thumb/", self.admin_site.admin_view(self.thumb_view), name="media_mediaasset_thumb"),
                *super().get_urls()]

    def thumb_view(self, request, pk):
        """The thumbnail for staff who may view assets (the creators' own view checks the owner)."""
        from .views import file_response

        if not self.has_view_permission(request):
            raise PermissionDenied
        return file_response(get_object_or_404(MediaAsset, pk=pk), thumbnail=True, download=False, placeholder=False)

    @admin.action(description=_("Re-check that the files can be reached"))
    def recheck(self, request, queryset):
        reachable = unreachable = 0
        for asset in queryset.select_related("owner"):
            try:
                services.asset_check(asset=asset)
            except AppError as exc:
                self.message_user(request, f"{asset.public_id}: {exc.message}", messages.WARNING)
                continue
            reachable += asset.is_accessible
            unreachable += not asset.is_accessible
        self.message_user(request, gettext("Checked: %(reachable)s reachable, %(unreachable)s not reachable.")
                          % {"reachable": reachable, "unreachable": unreachable})


@admin.register(DriveConnection)
class DriveConnectionAdmin(admin.ModelAdmin):
    # The tokens are never shown, not even encrypted.
    list_display = ["user", "drive_email", "is_active", "storage_used", "connected_at", "last_used_at"]
    list_filter = ["is_active"]
    list_select_related = ["user"]
    search_fields = ["user__email", "drive_email"]
    fields = ["user", "drive_email", "is_active", "scopes", "folder_id", "storage_used", "storage_limit", "expires_at",
              "connected_at", "last_used_at"]
    readonly_fields = [f for f in fields if f != "is_active"]

    def has_add_permission(self, request):
        return False  # made by the creator's own OAuth consent
