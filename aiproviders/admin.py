import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from modo import catalog
from modo.admin import LargeListAdmin, ReadOnlyAdmin, stacked

from . import services
from .models import AIModel, CostAlert, Provider, UsageLog, WebhookEvent

# Where each vendor says whether it is up (shown in the provider form's help).
STATUS_PAGES = {
    "openai": "https://status.openai.com",
    "anthropic": "https://status.anthropic.com",
    "google": "https://aistudio.google.com/status",
    "replicate": "https://replicate.com/status",
    "modelslab": "https://status.modelslab.com",
    "stability": "https://status.stability.ai",
}
VERTEX_STATUS_PAGE = "https://status.cloud.google.com"
NEEDS_NO_KEY = {"local", "openai_compatible"}


class ProviderForm(forms.ModelForm):
    new_api_key = forms.CharField(
        label=_("API key"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave empty to keep the current key; it is never shown again."),
    )
    clear_api_key = forms.BooleanField(label=_("Remove the stored key"), required=False)
    new_service_account = forms.CharField(
        label=_("Service-account JSON (Google Vertex AI)"), required=False, strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("Only for Google on Vertex AI (Imagen): paste the key file of a service account with the "
                    "Vertex AI User role. Stored encrypted like an API key and never shown again. The provider's "
                    "configuration names the \"location\" (and \"project\", else the file's project_id)."),
    )
    clear_service_account = forms.BooleanField(label=_("Remove the stored service account"), required=False)
    base_url = forms.URLField(label=_("Base URL"), required=False, assume_scheme="https",
                              help_text=_("Only for OpenAI-compatible servers (vLLM, Ollama, LM Studio...)."))

    class Meta:
        model = Provider
        fields = ["name", "kind", "new_api_key", "clear_api_key", "new_service_account", "clear_service_account",
                  "base_url", "enabled", "timeout_seconds", "config"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].help_text = status_help(self.instance)

    def clean_new_service_account(self):
        value = self.cleaned_data.get("new_service_account", "")
        if not value:
            return value
        try:
            info = json.loads(value)
        except ValueError:
            info = None
        if not isinstance(info, dict) or info.get("type") != "service_account" or not info.get("private_key"):
            raise forms.ValidationError(_("This is not a Google service-account key file (JSON with "
                                          "\"type\": \"service_account\")."))
        return value

    def clean(self):
        data = super().clean()
        kind, enabled = data.get("kind"), data.get("enabled")
        if enabled and kind and kind not in NEEDS_NO_KEY:
            vertex = kind == "google" and (data.get("config") or {}).get("location")
            if vertex:
                has = (data.get("new_service_account") or self.instance.has_credentials) and not data.get(
                    "clear_service_account")
            else:
                has = (data.get("new_api_key") or self.instance.has_key) and not data.get("clear_api_key")
            if not has:
                raise forms.ValidationError(_("Paste the vendor's key first (step 1), then enable it (step 2)."))
        return data


def status_help(provider) -> str:
    url = VERTEX_STATUS_PAGE if provider.kind == "google" and (provider.config or {}).get("location") else \
        STATUS_PAGES.get(provider.kind)
    if not url:
        return ""
    return format_html('{} <a href="{}" target="_blank" rel="noopener">{}</a>',
                       _("Is the vendor up? Its status page:"), url, url)


class AIModelInline(admin.TabularInline):
    model = AIModel
    extra = 0
    fields = ["display_name", "model_id", "type", "tier", "enabled", "is_default", "priority", "credit_cost",
              "est_cost_usd", "cost_unit", "capability_list", "cache_ttl_seconds"]
    readonly_fields = ["capability_list"]
    show_change_link = True

    @admin.display(description=_("Capabilities"))
    def capability_list(self, obj):
        return ", ".join(obj.capabilities) or "—"


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ["name", "kind", "enabled", "key", "status_page", "last_checked_at", "last_check_ok", "last_check_message"]
    list_filter = ["kind", "enabled"]
    readonly_fields = ["key", "last_checked_at", "last_check_ok", "last_check_message"]
    inlines = [AIModelInline]
    actions = ["test_connection"]

    def get_fields(self, request, obj=None):
        return ["name", "kind", "key", "new_api_key", "clear_api_key", "service_account", "new_service_account",
                "clear_service_account", "base_url", "enabled", "timeout_seconds", "daily_cost_alert_usd", "config",
                "last_checked_at", "last_check_ok", "last_check_message"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "service_account"]

    @admin.display(description=_("Key"))
    def key(self, obj):
        return obj.key_hint() or "—"

    @admin.display(description=_("Service account"))
    def service_account(self, obj):
        return _("stored (encrypted)") if obj.has_credentials else "—"

    @admin.display(description=_("Status page"))
    def status_page(self, obj):
        return status_help(obj) or "—"

    def save_model(self, request, obj, form, change):
        switched_on = obj.enabled and (not change or "enabled" in form.changed_data)
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("new_api_key"):
            services.provider_set_key(provider=obj, api_key=form.cleaned_data["new_api_key"])
        elif form.cleaned_data.get("clear_api_key"):
            services.provider_set_key(provider=obj, api_key="")
        if form.cleaned_data.get("new_service_account"):
            services.provider_set_credentials(provider=obj, credentials=form.cleaned_data["new_service_account"])
        elif form.cleaned_data.get("clear_service_account"):
            services.provider_set_credentials(provider=obj, credentials="")
        request.provider_switched_on = switched_on  # the admin object is shared between requests

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(request, "provider_switched_on", False):  # after the inline rows: the switch-on wins
            count = services.provider_switch_on(provider=form.instance)
            if count:
                self.message_user(request, _("%(count)s seeded model(s) of %(name)s switched on with it.")
                                  % {"count": count, "name": form.instance.name})

    @admin.action(description=_("Test connection (smallest real call)"))
    def test_connection(self, request, queryset):
        for provider in queryset:
            ok, message = services.provider_test(provider=provider)
            self.message_user(request, f"{provider.name}: {message}", messages.SUCCESS if ok else messages.ERROR)


@admin.register(AIModel)
class AIModelAdmin(admin.ModelAdmin):
    # Seven columns, related values sharing a cell (the provider and the vendor's id under the name,
    # the tier and "default" under the type, the vendor's cost under the credits, the cooldown under
    # the cache): fourteen would not fit beside the sidebar and the filters at 1280 px.
    list_display = ["name_shown", "type_shown", "capability_list", "cost", "priority", "enabled", "cache_and_cooldown"]
    list_editable = ["priority", "enabled"]
    list_filter = ["type", "tier", "enabled", "provider"]
    list_select_related = ["provider"]
    search_fields = ["display_name", "model_id"]
    readonly_fields = ["cooldown_until", "capability_list"]
    actions = ["enable", "disable", "clear_cooldown", "cache_on", "cache_off"]

    @admin.display(description=_("Capabilities"))
    def capability_list(self, obj):
        return ", ".join(obj.capabilities) or "—"

    @admin.display(description=_("Model"), ordering="display_name")
    def name_shown(self, obj):
        """The name; its provider and the vendor's id beneath (a long id, a version hash, may break anywhere)."""
        return stacked(obj.display_name, format_html('{} · <span class="break-anywhere">{}</span>', obj.provider.name,
                                                     obj.model_id))

    @admin.display(description=_("Type"), ordering="type")
    def type_shown(self, obj):
        beneath = obj.get_tier_display()
        if obj.is_default:
            beneath = format_html("{} · <strong>{}</strong>", beneath, gettext("default"))
        return stacked(obj.get_type_display(), beneath)

    @admin.display(description=_("Credits"), ordering="credit_cost")
    def cost(self, obj):
        """The credits a call costs (empty: its kind's default); the vendor's estimated cost beneath."""
        credits = self.get_empty_value_display() if obj.credit_cost is None else obj.credit_cost
        return stacked(credits, gettext("%(usd)s USD %(unit)s") % {"usd": f"{obj.est_cost_usd.normalize():f}", "unit": obj.get_cost_unit_display()})

    def response_cache(self, obj):
        return obj.type == AIModel.Type.TEXT and obj.cache_ttl_seconds > 0

    @admin.display(description=_("Response cache"), ordering="cooldown_until")
    def cache_and_cooldown(self, obj):
        """Whether identical requests are answered from the cache; beneath, how long the model is left
        out of the rotation after its vendor failed."""
        cache = _boolean_icon(self.response_cache(obj))
        if not obj.cooldown_until:
            return cache
        until = formats.localize(timezone.template_localtime(obj.cooldown_until))
        return stacked(cache, format_html(gettext("cooling down until {time}"), time=until))

    @admin.action(description=_("Cache identical requests for 1 hour (text models only)"))
    def cache_on(self, request, queryset):
        count = queryset.filter(type=AIModel.Type.TEXT).update(cache_ttl_seconds=3600)
        self.message_user(request, _("Response cache on for %(count)s text model(s); images and videos are never "
                                     "cached.") % {"count": count})
        catalog.changed()

    @admin.action(description=_("Turn the response cache off"))
    def cache_off(self, request, queryset):
        self.message_user(request, _("Response cache off for %(count)s model(s).")
                          % {"count": queryset.update(cache_ttl_seconds=0)})
        catalog.changed()

    @admin.action(description=_("Enable selected models"))
    def enable(self, request, queryset):
        self.message_user(request, gettext("%(count)s model(s) enabled.") % {"count": queryset.update(enabled=True)})
        catalog.changed()

    @admin.action(description=_("Disable selected models"))
    def disable(self, request, queryset):
        self.message_user(request, gettext("%(count)s model(s) disabled.") % {"count": queryset.update(enabled=False)})
        catalog.changed()

    @admin.action(description=_("Clear cooldown"))
    def clear_cooldown(self, request, queryset):
        self.message_user(request, gettext("%(count)s model(s) back in rotation.")
                          % {"count": queryset.update(cooldown_until=None)})
        catalog.changed()


class ModelFilter(admin.RelatedFieldListFilter):
    """The model filter without a query per model (a model's name includes its provider's)."""

    def field_choices(self, field, request, model_admin):
        return [(m.pk, str(m)) for m in AIModel.objects.select_related("provider").order_by("type", "display_name")]


class CallKindFilter(admin.SimpleListFilter):
    """The kind of call, from the model types (a filter over the column's values would read every row)."""

    title, parameter_name = _("kind"), "kind"

    def lookups(self, request, model_admin):
        return AIModel.Type.choices

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(UsageLog)
class UsageLogAdmin(LargeListAdmin, ReadOnlyAdmin):
    list_display = ["created_at", "kind", "provider", "model", "status", "attempt", "latency_ms", "first_token_ms",
                    "tokens_in", "tokens_out", "seconds", "credits_charged", "est_cost_usd", "error_class", "user"]
    list_filter = ["status", CallKindFilter, "provider", ("model", ModelFilter), "created_at"]
    list_select_related = ["provider", "model__provider", "user"]
    search_fields = ["reference", "request_id", "user__email", "error_message"]


@admin.register(CostAlert)
class CostAlertAdmin(ReadOnlyAdmin):
    list_display = ["day", "provider", "threshold_usd", "total_usd", "created_at"]
    list_select_related = ["provider"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_id", "prediction_id", "status", "matched"]
    list_filter = ["provider", "status", "matched"]
    search_fields = ["event_id", "prediction_id"]
    date_hierarchy = "received_at"
