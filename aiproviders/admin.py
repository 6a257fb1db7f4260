from django import forms
from django.contrib import admin, messages

from modo import catalog
from modo.admin import ReadOnlyAdmin

from . import services
from .models import AIModel, CostAlert, Provider, UsageLog, WebhookEvent


class ProviderForm(forms.ModelForm):
    new_api_key = forms.CharField(
        label="API key", required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted. Leave empty to keep the current key; it is never shown again.",
    )
    clear_api_key = forms.BooleanField(label="Remove the stored key", required=False)
    base_url = forms.URLField(label="Base URL", required=False, assume_scheme="https",
                              help_text="Only for OpenAI-compatible servers (vLLM, Ollama, LM Studio...).")

    class Meta:
        model = Provider
        fields = ["name", "kind", "new_api_key", "clear_api_key", "base_url", "enabled", "timeout_seconds", "config"]


class AIModelInline(admin.TabularInline):
    model = AIModel
    extra = 0
    fields = ["display_name", "model_id", "type", "tier", "enabled", "is_default", "priority", "credit_cost"]
    show_change_link = True


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = ["name", "kind", "enabled", "key", "base_url", "last_checked_at", "last_check_ok", "last_check_message"]
    list_filter = ["kind", "enabled"]
    readonly_fields = ["key", "last_checked_at", "last_check_ok", "last_check_message"]
    inlines = [AIModelInline]
    actions = ["test_connection"]

    def get_fields(self, request, obj=None):
        return ["name", "kind", "key", "new_api_key", "clear_api_key", "base_url", "enabled", "timeout_seconds", "daily_cost_alert_usd", "config",
                "last_checked_at", "last_check_ok", "last_check_message"]

    @admin.display(description="Key")
    def key(self, obj):
        return obj.key_hint() or "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("new_api_key"):
            services.provider_set_key(provider=obj, api_key=form.cleaned_data["new_api_key"])
        elif form.cleaned_data.get("clear_api_key"):
            services.provider_set_key(provider=obj, api_key="")

    @admin.action(description="Test connection (smallest real call)")
    def test_connection(self, request, queryset):
        for provider in queryset:
            ok, message = services.provider_test(provider=provider)
            self.message_user(request, f"{provider.name}: {message}", messages.SUCCESS if ok else messages.ERROR)


@admin.register(AIModel)
class AIModelAdmin(admin.ModelAdmin):
    list_display = ["display_name", "provider", "model_id", "type", "tier", "credit_cost", "est_cost_usd", "cost_unit",
                    "priority", "enabled", "is_default", "cooldown_until"]
    list_editable = ["priority", "enabled"]
    list_filter = ["type", "tier", "enabled", "provider"]
    list_select_related = ["provider"]
    search_fields = ["display_name", "model_id"]
    readonly_fields = ["cooldown_until"]
    actions = ["enable", "disable", "clear_cooldown"]

    @admin.action(description="Enable selected models")
    def enable(self, request, queryset):
        self.message_user(request, f"{queryset.update(enabled=True)} model(s) enabled.")
        catalog.changed()

    @admin.action(description="Disable selected models")
    def disable(self, request, queryset):
        self.message_user(request, f"{queryset.update(enabled=False)} model(s) disabled.")
        catalog.changed()

    @admin.action(description="Clear cooldown")
    def clear_cooldown(self, request, queryset):
        self.message_user(request, f"{queryset.update(cooldown_until=None)} model(s) back in rotation.")


class ModelFilter(admin.RelatedFieldListFilter):
    """The model filter without a query per model (a model's name includes its provider's)."""

    def field_choices(self, field, request, model_admin):
        return [(m.pk, str(m)) for m in AIModel.objects.select_related("provider").order_by("type", "display_name")]


@admin.register(UsageLog)
class UsageLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "provider", "model", "status", "attempt", "latency_ms", "first_token_ms",
                    "tokens_in", "tokens_out", "seconds", "credits_charged", "est_cost_usd", "error_class", "user"]
    list_filter = ["status", "kind", "provider", ("model", ModelFilter), "created_at"]
    list_select_related = ["provider", "model__provider", "user"]
    search_fields = ["reference", "request_id", "user__email", "error_message"]
    date_hierarchy = "created_at"
    show_full_result_count = False


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
