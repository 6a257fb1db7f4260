import json

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import lookup_field
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from . import alerts
from .cache import fragment_version
from .models import Alert, AlertRule, ContactMessage, RollupMark

# Django's own admin strings that its Indonesian catalogue words otherwise than we do: "aksi" for an
# action (ours is "tindakan", one word per term), "Buka" ("open") on the button that runs one, and
# "mengedit" (ours is "menyunting"). Named here so that makemessages keeps them in our catalogue,
# which Django reads before its own.
DJANGO_ADMIN_WORDING = [
    gettext_noop("Action:"), gettext_noop("Action"), gettext_noop("Go"), gettext_noop("Run the selected action"),
    gettext_noop("No action selected."), gettext_noop("Select all objects on this page for an action"),
    gettext_noop("action time"), gettext_noop("action flag"), gettext_noop("Save and continue editing"),
    gettext_noop("You don’t have permission to view or edit anything."),
]


def breakable(text: str) -> str:
    """An address (or a name holding one) that may break before its @ or a dot of its name: a narrow
    list's column, not one line as wide as the address."""
    name, at, rest = text.rpartition("@")
    if not at:
        return text
    return mark_safe(escape(name).replace(".", "<wbr>.") + "<wbr>" + escape(at + rest))  # escaped first


def stacked(value, beneath, *, css: str = "") -> str:
    """A narrow list's cell holding two values: `value`, and a related one in small quiet type under
    it (`css`: more classes for that line, e.g. "nowrap" or "break-anywhere"). Both are escaped."""
    return format_html('{}<br><span class="{}">{}</span>', value, " ".join(["small quiet", css]).strip(), beneath)


class QuickActionCheckbox:
    """The actions' checkbox on each row of a list, written as one string instead of a form widget
    rendered through the template engine: the same markup, at ~0.2 ms less a row (a quarter of a
    50-row user list). For the lists that grow: users, jobs, assets, orders."""

    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           helpers.ACTION_CHECKBOX_NAME, obj.pk, label)


class EstimatedCountPaginator(Paginator):
    """An admin list's paginator that counts exactly up to EXACT_UP_TO rows and, on PostgreSQL,
    takes the planner's estimate above that: a COUNT(*) reads every row of the list, so a plain
    paginator makes a list's cost grow with its table (bench figure 7, the admin user list). Two
    queries whatever the table holds — a bounded count, then EXPLAIN — so the page's query count
    does not depend on the data either. Above the bound the page count is approximate (a last
    page may come out short or empty). SQLite and other lists count exactly."""

    EXACT_UP_TO = 1000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if connection.vendor != "postgresql" or not isinstance(rows, QuerySet):
            return super().count
        rows = rows.order_by().values("pk")
        exact = rows[: self.EXACT_UP_TO + 1].count()
        plan = json.loads(rows.explain(format="json"))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
        return exact if exact <= self.EXACT_UP_TO else max(estimate, exact)


class LargeListAdmin:
    """For the lists of tables that grow with the users (users, ledger, usage, assets, jobs): no
    second COUNT for the "N total" link, the count estimated above EstimatedCountPaginator's
    bound, no `date_hierarchy` (its month links are a DISTINCT over every row: these lists filter
    by date with a `created_at` list filter instead, which runs no query) and no "Show counts"
    link (a COUNT over the table for every choice of every filter). Their ordering is one an
    index serves."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator


class CachedRowsChangeList(ChangeList):
    @cached_property
    def rows_version(self) -> str:
        """A digest of everything the list's rows show: each row's id and the value of each of
        its columns (read as the admin reads them, before formatting), and what formats them —
        the query string (sorting, filters: the header and row links), the language and the time
        zone; and the templates (fragment_version). Any change to a row shown makes a new key."""
        if self.formset is not None:
            raise ImproperlyConfigured("CachedRowsAdmin cannot cache the rows of a list_editable list.")
        rows = []
        for obj in self.result_list:
            row = [obj.pk, str(obj)]  # the action checkbox shows these two: not rendered here
            for name in self.list_display:
                if name == "action_checkbox":
                    continue
                try:
                    row.append(lookup_field(name, obj, self.model_admin)[2])
                except ObjectDoesNotExist:
                    row.append(None)
            rows.append(row)
        shown = [sorted(self.params.items()), self.preserved_filters, translation.get_language(),
                 timezone.get_current_timezone_name(), [str(name) for name in self.list_display], rows]
        return fragment_version(shown)


class CachedRowsAdmin:
    """An admin list whose table of rows is cached, rendered, under CachedRowsChangeList.rows_version:
    the rows are still read on every request (the same queries), but the ~0.3 ms each of them
    costs to render (a dozen cells through the admin's lookups, formats and escaping) is paid
    once per version (bench figure 5, the admin user list). Filters, counts, actions and
    pagination around the table are rendered live."""

    change_list_template = "admin/change_list_cached_rows.html"
    rows_cache_seconds = 300

    def get_changelist(self, request, **kwargs):
        return CachedRowsChangeList


class ReadOnlyAdmin(admin.ModelAdmin):
    """History that must never change (ledger, holds, usage log, gateway events)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "name", "email", "topic", "handled", "notified_at"]
    list_filter = ["handled", "topic", "created_at"]
    list_select_related = ["user"]
    search_fields = ["name", "email", "message"]
    date_hierarchy = "created_at"
    readonly_fields = ["name", "email", "topic", "message", "user", "ip_address", "user_agent", "notified_at", "created_at", "updated_at"]
    fields = readonly_fields[:4] + ["handled"] + readonly_fields[4:]
    actions = ["mark_handled"]

    @admin.action(description=gettext_lazy("Mark selected messages as handled"))
    def mark_handled(self, request, queryset):
        updated = queryset.update(handled=True)
        self.message_user(request, _("%(count)s message(s) marked as handled.") % {"count": updated})

    def has_add_permission(self, request):
        return False


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "threshold", "window_minutes", "enabled", "updated_at"]
    list_editable = ["threshold", "window_minutes", "enabled"]
    fields = ["kind", "threshold", "window_minutes", "enabled"]

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        alerts.rule_changed(obj.kind)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "key", "value", "threshold", "window_minutes", "emailed_at", "acknowledged_at"]
    list_filter = ["kind", ("acknowledged_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["key"]
    date_hierarchy = "created_at"
    readonly_fields = ["kind", "key", "window_start", "window_minutes", "value", "threshold", "evidence_pretty",
                       "emailed_at", "acknowledged_at", "created_at"]
    fields = readonly_fields
    actions = ["acknowledge"]

    @admin.display(description=gettext_lazy("evidence"))
    def evidence_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.evidence, indent=2, sort_keys=True, default=str))

    @admin.action(description=gettext_lazy("Acknowledge the selected alerts"))
    def acknowledge(self, request, queryset):
        done = alerts.alerts_acknowledge(queryset=queryset)
        self.message_user(request, _("%(n)s alert(s) acknowledged.") % {"n": done})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RollupMark)
class RollupMarkAdmin(ReadOnlyAdmin):
    """How far each analytics roll-up holds each day (modo/rollups.py; `manage.py fill_rollups`)."""

    list_display = ["name", "day", "until", "rows", "updated_at"]
    list_filter = ["name"]
    ordering = ["-day", "name"]
