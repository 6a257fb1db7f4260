"""Orders, payment settings and gateways (keys encrypted, never shown), receipts and the gateways' notifications."""


from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from modo import crypto
from modo.admin import QuickActionCheckbox, ReadOnlyAdmin
from modo.http import absolute_url

from .. import orders, refunds, services
from ..exceptions import CreditsError
from ..models import (
    Order,
    PaymentEvent,
    PaymentGateway,
    PaymentSettings,
    Receipt,
)


class RefundForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), widget=forms.RadioSelect, choices=[
        (refunds.Mode.PARTIAL, _("Partial: refund the money of the unspent credits, and take those credits back")),
        (refunds.Mode.FULL, _("Full: refund all the money, and take back the order's credits down to zero")),
    ])
    reference = forms.CharField(required=False, max_length=120, label=_("Refund reference"),
                                help_text=_("For a refund made by hand (manual transfer, Midtrans): the transfer's "
                                            "reference."))


@admin.register(Order)
class OrderAdmin(QuickActionCheckbox, admin.ModelAdmin):
    list_display = ["number", "user", "item", "amount", "currency", "status", "gateway", "created_at", "paid_at", "applied_at",
                    "refunded_amount"]
    list_select_related = ["user", "package", "plan"]
    list_filter = ["status", "gateway", "created_at"]
    search_fields = ["number", "user__email", "gateway_reference"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Order._meta.fields if f.name != "note"]
    actions = ["mark_paid", "cancel", "refund"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Refund the selected paid order…"), permissions=["change"])
    def refund(self, request, queryset):
        """One order at a time: shows what was already spent of its credits, then the admin
        chooses a partial refund (the unspent credits' money) or a full one (credits down to zero)."""
        if queryset.count() != 1:
            self.message_user(request, gettext("Choose exactly one paid order to refund."), messages.ERROR)
            return None
        order = queryset.select_related("account", "user", "package", "plan").get()
        if order.status != Order.Status.PAID or order.refund_started_at:
            self.message_user(request, gettext("%(number)s is not paid, or its refund has already started.")
                              % {"number": order.number}, messages.ERROR)
            return None
        form = RefundForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                order = refunds.order_refund(order=order, mode=form.cleaned_data["mode"], actor=request.user,
                                             reference=form.cleaned_data["reference"])
            except CreditsError as exc:
                self.message_user(request, f"{order.number}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, gettext("%(number)s refunded: %(amount)s %(currency)s, %(credits)s credits "
                                                   "taken back.") % {
                    "number": order.number, "amount": order.refunded_amount, "currency": order.currency,
                    "credits": order.refunded_credits}, messages.SUCCESS)
            return None
        context = {**self.admin_site.each_context(request),
                   "title": gettext("Refund order %(number)s") % {"number": order.number}, "order": order,
                   "preview": refunds.order_refund_preview(order=order), "form": form, "opts": self.model._meta}
        return TemplateResponse(request, "admin/credits/order/refund.html", context)

    @admin.display(description=_("Item"))
    def item(self, obj):
        return obj.item_name

    @admin.action(description=_("Mark selected orders paid (grants once)"), permissions=["change"])
    def mark_paid(self, request, queryset):
        applied = sum(1 for order in queryset if orders.order_mark_paid(order=order))
        self.message_user(request, gettext("%(count)s order(s) applied; the others were already applied or not payable.")
                          % {"count": applied})

    @admin.action(description=_("Cancel selected pending orders"), permissions=["change"])
    def cancel(self, request, queryset):
        cancelled = sum(1 for order in queryset if orders.order_cancel(order=order))
        self.message_user(request, gettext("%(count)s order(s) cancelled; paid orders are never cancelled.")
                          % {"count": cancelled})


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(admin.ModelAdmin):
    """One row (id 1), made when missing as its list opens: never added by hand or deleted."""

    list_display = ["__str__", "bank_name", "ewallet_name", "whatsapp_number", "contact_name", "updated_at"]

    fieldsets = [
        (_("Bank transfer"), {"fields": ["bank_name", "bank_account_number", "bank_account_holder"]}),
        (_("E-wallet"), {"fields": ["ewallet_name", "ewallet_number", "ewallet_holder"]}),
        (_("Contact"), {"fields": ["whatsapp_number", "contact_name", "instructions"],
                        "description": _("Creators see these on every order awaiting a manual payment.")}),
    ]

    def has_add_permission(self, request):
        return False  # (no query here: every admin page asks, for its menu)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        PaymentSettings.load()
        return super().changelist_view(request, extra_context)


class PaymentGatewayForm(forms.ModelForm):
    new_secret_key = forms.CharField(
        label=_("Secret key"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Midtrans server key, Xendit secret key, Stripe secret key, Polar access token. Stored encrypted; "
                    "leave empty to keep the current one."))
    new_webhook_secret = forms.CharField(
        label=_("Webhook secret"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Xendit callback verification token, Stripe signing secret (whsec_…), Polar webhook secret. "
                    "Stored encrypted; leave empty to keep it. (Midtrans signs with the server key.)"))
    clear_keys = forms.BooleanField(label=_("Remove the stored keys"), required=False)

    class Meta:
        model = PaymentGateway
        fields = ["code", "enabled", "live_mode", "currency", "options", "sort_order"]


@admin.register(PaymentGateway)
class PaymentGatewayAdmin(admin.ModelAdmin):
    """Which gateways creators may choose, test or live, in which currency, with which keys."""

    form = PaymentGatewayForm
    list_display = ["code", "enabled", "live_mode", "currency", "key", "webhook_key", "sort_order", "webhook_url"]
    list_editable = ["enabled", "sort_order"]
    readonly_fields = ["key", "webhook_key", "webhook_url"]
    fields = ["code", "enabled", "live_mode", "currency", "key", "new_secret_key", "webhook_key", "new_webhook_secret",
              "clear_keys", "options", "sort_order", "webhook_url"]

    @staticmethod
    def _hint(token: str) -> str:
        if not token:
            return "—"
        try:
            return "••••" + crypto.decrypt(token)[-4:]
        except crypto.InvalidToken:
            return gettext("(cannot decrypt: check FIELD_ENCRYPTION_KEYS)")

    @admin.display(description=_("Secret key"))
    def key(self, obj):
        return self._hint(obj.secret_key_encrypted)

    @admin.display(description=_("Webhook secret"))
    def webhook_key(self, obj):
        return self._hint(obj.webhook_secret_encrypted)

    @admin.display(description=_("Notification URL (set it at the gateway)"))
    def webhook_url(self, obj):
        return absolute_url(f"/api/v1/webhooks/{obj.code}") if obj.code else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        if data.get("clear_keys"):
            services.payment_gateway_set_keys(gateway=obj, secret_key="", webhook_secret="")
        else:
            services.payment_gateway_set_keys(gateway=obj, secret_key=data.get("new_secret_key") or None,
                                              webhook_secret=data.get("new_webhook_secret") or None)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "issued_at", "order", "buyer_email", "item", "amount", "currency", "gateway",
                    "gateway_reference", "emailed_at"]
    list_select_related = ["order"]
    list_filter = ["gateway", "currency"]
    search_fields = ["buyer_email", "order__number", "gateway_reference"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "gateway", "order", "event_type", "event_id", "signature_valid", "is_replay", "outcome"]
    list_select_related = ["order"]
    list_filter = ["gateway", "outcome", "signature_valid", "is_replay"]
    search_fields = ["event_id", "order__number"]
