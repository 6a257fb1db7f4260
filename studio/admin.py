from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aiproviders.admin import ModelFilter
from modo.admin import LargeListAdmin, QuickActionCheckbox
from modo.errors import AppError

from .generate import jobs
from .models import (
    Beat,
    Character,
    Draft,
    Generation,
    ImagePreset,
    Location,
    Moodboard,
    Project,
    Relationship,
    Scene,
    Story,
    World,
)


@admin.register(Project)
class ProjectAdmin(LargeListAdmin, admin.ModelAdmin):
    ordering = ["-id"]  # newest first by the primary key's index (the lists that grow: modo.admin.LargeListAdmin)
    list_display = ["title", "owner", "status", "visibility", "genre", "deleted_at", "updated_at"]
    list_filter = ["status", "visibility", "genre", "format"]
    list_select_related = ["owner"]
    search_fields = ["title", "slug", "owner__email"]
    raw_id_fields = ["owner", "cover"]
    readonly_fields = ["public_id", "created_at", "updated_at"]


@admin.register(Character)
class CharacterAdmin(LargeListAdmin, admin.ModelAdmin):
    ordering = ["-id"]
    list_display = ["name", "project", "role", "updated_at"]
    list_filter = ["role"]
    list_select_related = ["project"]
    search_fields = ["name", "project__title"]
    raw_id_fields = ["project", "primary_image"]


@admin.register(Story, World)
class SectionAdmin(LargeListAdmin, admin.ModelAdmin):
    ordering = ["-id"]
    list_display = ["project", "updated_at"]
    list_select_related = ["project"]
    search_fields = ["project__title"]
    raw_id_fields = ["project"]


@admin.register(Beat, Location)
class ProjectPartAdmin(LargeListAdmin, admin.ModelAdmin):
    ordering = ["-id"]
    list_display = ["__str__", "project", "order", "updated_at"]
    list_select_related = ["project"]
    search_fields = ["project__title"]
    raw_id_fields = ["project"]


@admin.register(Scene)
class SceneAdmin(LargeListAdmin, admin.ModelAdmin):
    ordering = ["-id"]
    list_display = ["title", "project", "order", "beat", "location", "updated_at"]
    list_select_related = ["project", "beat", "location"]
    search_fields = ["title", "project__title"]
    raw_id_fields = ["project", "beat", "location"]
    filter_horizontal = ["characters"]


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "target", "updated_at"]
    list_filter = ["kind"]
    list_select_related = ["source", "target"]
    raw_id_fields = ["source", "target"]


@admin.register(Draft)
class DraftAdmin(LargeListAdmin, admin.ModelAdmin):
    # AI drafts are the creators' history: readable, not editable.
    list_display = ["created_at", "owner", "project", "target_kind", "field", "status", "model_name", "credits_charged"]
    list_filter = ["status", "target_kind", "created_at"]
    list_select_related = ["owner", "project"]
    search_fields = ["owner__email", "project__title", "prompt"]
    readonly_fields = [f.name for f in Draft._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Moodboard)
class MoodboardAdmin(LargeListAdmin, admin.ModelAdmin):
    ordering = ["-id"]
    list_display = ["title", "project", "scene", "location", "updated_at"]
    list_select_related = ["project", "scene", "location"]
    search_fields = ["title", "project__title"]
    raw_id_fields = ["project", "scene", "location"]
    filter_horizontal = ["characters"]


@admin.register(ImagePreset)
class ImagePresetAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "key", "width", "height", "is_default", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    list_editable = ["is_active", "sort_order"]


@admin.register(Generation)
class GenerationAdmin(LargeListAdmin, QuickActionCheckbox, admin.ModelAdmin):
    list_display = ["public_id", "owner", "kind", "status", "model_used", "credits_quoted", "cost_charged", "attempts",
                    "created_at", "finished_at"]
    list_filter = ["kind", "status", ("model_used", ModelFilter), "created_at"]
    list_select_related = ["owner", "model_used__provider"]
    search_fields = ["public_id", "owner__email", "vendor_job_id", "prompt"]
    readonly_fields = [f.name for f in Generation._meta.fields]
    actions = ["cancel_and_release", "retry", "refund"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Cancel (credits released)"))
    def cancel_and_release(self, request, queryset):
        for job in queryset.filter(status__in=Generation.ACTIVE).select_related("hold__account"):
            jobs.job_cancel(job=job)
        self.message_user(request, gettext("Cancelled the active ones (running ones stop at their next checkpoint)."))

    @admin.action(description=_("Retry as a new job (a new hold on the creator's credits)"))
    def retry(self, request, queryset):
        for job in queryset.select_related("owner", "project", "model_requested"):
            try:
                jobs.job_retry(job=job)
            except AppError as exc:
                self.message_user(request, f"{job.public_id}: {exc.message}", messages.WARNING)

    @admin.action(description=_("Refund the credits charged (once per job)"))
    def refund(self, request, queryset):
        given = 0
        for job in queryset.select_related("hold__account"):
            try:
                entry = jobs.job_refund(job=job, actor=request.user)
            except AppError as exc:
                self.message_user(request, f"{job.public_id}: {exc.message}", messages.WARNING)
                continue
            given += entry.amount if entry else 0
        self.message_user(request, gettext("Refunded %(credits)s credits in all (a job refunded before is not refunded "
                                           "again).") % {"credits": given})

class UserJobsAdmin:
    """Mixed into the control room's User admin (modo.admin_site): the creator's live projects as a
    column and their recent generation jobs on their page."""

    def get_queryset(self, request):
        # A count per row shown (a subquery on the owner's index), not a GROUP BY over every user
        # joined to every project before the page is cut (bench figure 7, the admin user list).
        live = Project.objects.filter(owner=OuterRef("pk"), deleted_at__isnull=True).order_by().values("owner")
        return super().get_queryset(request).annotate(
            project_count=Coalesce(Subquery(live.annotate(n=Count("pk")).values("n")), 0))

    @admin.display(description=_("Projects"), ordering="project_count")
    def projects(self, obj):
        return obj.project_count

    @admin.display(description=_("Recent jobs"))
    def recent_jobs(self, obj):
        latest = Generation.objects.filter(owner=obj).order_by("-created_at")[:10]
        credits = gettext("%(credits)s credits")
        return format_html_join("", '<div><a href="{}">{}</a> · {} · {} · {}</div>',
                                ((reverse("admin:studio_generation_change", args=[j.pk]), j.created_at.strftime(
                                    "%Y-%m-%d %H:%M"), j.get_kind_display(), j.get_status_display(),
                                  credits % {"credits": j.cost_charged}) for j in latest)) or "—"
