import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts import teams as team_services
from accounts.models import Membership, Team
from modo import crypto
from modo.admin import LargeListAdmin, QuickActionCheckbox, ReadOnlyAdmin
from modo.http import absolute_url

from . import ledger, orders, refunds, services
from .exceptions import CreditsError
from .models import (
    CreditAccount,
    CreditCost,
    CreditPackage,
    Hold,
    LedgerEntry,
    Order,
    PaymentEvent,
    PaymentGateway,
    PaymentSettings,
    Plan,
    Receipt,
)
from .reasons import reason_text
from .selectors import credit_account_for


def plan_name(plan: Plan) -> str:
    """A plan's name as its reader says it: the default plans' names (Trial, Free) are translated, as
    on the creators' pages and in the ledger's reasons. The plan's own admin page shows the name stored."""
    return pgettext("plan name", plan.name)


def breakable(text: str) -> str:
    """An address (or a name holding one) that may break before its @ or a dot of its name: a narrow
    list's column, not one line as wide as the address."""
    name, at, rest = text.rpartition("@")
    if not at:
        return text
    return mark_safe(escape(name).replace(".", "<wbr>.") + "<wbr>" + escape(at + rest))  # escaped first


class PlanListFilter(admin.RelatedFieldListFilter):
    """A filter by plan (a credit account's, or a user's through it), its choices the plans' names
    in the admin's language (plan_name)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or Plan._meta.ordering or ["pk"]
        return [(plan.pk, plan_name(plan)) for plan in Plan.objects.order_by(*ordering)]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "price_monthly", "price_yearly", "currency", "credits_per_cycle",
                    "daily_generation_limit", "max_projects", "is_trial", "is_public", "is_default_for_signup", "sort_order"]
    list_editable = ["sort_order", "is_public"]
    list_filter = ["is_public", "is_trial"]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["code", "name", "description", "is_public", "sort_order", "is_default_for_signup"]}),
        (_("Price"), {"fields": ["price_monthly", "price_yearly", "currency", "price_monthly_idr", "price_yearly_idr"],
                      "description": _("Leave both prices empty for “contact us”. IDR prices are what Midtrans and Xendit "
                                       "charge (empty: the price converted at MIDTRANS_IDR_RATE).")}),
        (_("Credits and limits"), {"fields": ["credits_per_cycle", "signup_credits", "max_projects", "daily_generation_limit"]}),
        (_("Features"), {"fields": ["feature_video", "feature_audio", "feature_lipsync", "feature_upscale", "feature_restyle",
                                     "feature_premium_models"]}),
        (_("Trial"), {"fields": ["is_trial", "trial_days", "trial_generation_cap"]}),
    ]


@admin.register(CreditPackage)
class CreditPackageAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "credits", "price", "currency", "price_idr", "is_active", "sort_order"]
    list_editable = ["credits", "price", "price_idr", "is_active", "sort_order"]


@admin.register(CreditCost)
class CreditCostAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "variant", "credits", "per_seconds", "max_seconds", "is_active", "sort_order"]
    list_editable = ["credits", "is_active"]
    list_filter = ["kind", "is_active"]


class AdjustForm(forms.Form):
    direction = forms.ChoiceField(label=pgettext_lazy("grant or deduct credits", "Direction"),
                                  choices=[("grant", _("Grant credits")), ("deduct", _("Deduct credits"))])
    amount = forms.IntegerField(label=_("Amount"), min_value=1, max_value=1_000_000)
    reason = forms.CharField(label=_("Reason"), max_length=255,
                             help_text=_("Required. The creator sees it in their credit history."))
    # One key per form shown: a double submit cannot apply twice.
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


@admin.register(CreditAccount)
class CreditAccountAdmin(LargeListAdmin, admin.ModelAdmin):
    list_display = ["user", "team", "plan", "balance", "bonus_balance", "held", "available", "trial_ends_at",
                    "trial_generations_used", "next_cycle_at", "adjust_link"]
    list_select_related = ["user", "team", "plan"]
    list_filter = [("plan", PlanListFilter), ("team", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__display_name", "team__name", "team__slug"]
    readonly_fields = ["public_id", "user", "team", "plan", "balance", "bonus_balance", "cycle_balance", "held", "billing_cycle",
                       "plan_started_at", "plan_expires_at", "cycle_started_at", "next_cycle_at", "trial_ends_at",
                       "trial_generations_used", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Available"))
    def available(self, obj):
        return obj.available

    @admin.display(description=_("Grant / deduct"))
    def adjust_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:credits_creditaccount_adjust", args=[obj.pk]),
                           gettext("Grant / deduct"))

    def get_urls(self):
        return [
            path("<int:pk>/adjust/", self.admin_site.admin_view(self.adjust_view), name="credits_creditaccount_adjust"),
            *super().get_urls(),
        ]

    def adjust_view(self, request, pk):
        if not request.user.has_perm("credits.change_creditaccount"):
            raise PermissionDenied
        account = get_object_or_404(CreditAccount.objects.select_related("user", "team", "plan"), pk=pk)
        form = AdjustForm(request.POST or None, initial={"idempotency_key": f"admin:{uuid.uuid4()}"})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            delta = data["amount"] if data["direction"] == "grant" else -data["amount"]
            try:
                ledger.credits_admin_adjust(account=account, delta=delta, reason=data["reason"], actor=request.user,
                                              idempotency_key=data["idempotency_key"])
            except CreditsError as exc:
                form.add_error("amount", exc.message)
            else:
                self.message_user(request, gettext("%(delta)s credits for %(owner)s: %(reason)s") % {
                    "delta": f"{delta:+d}", "owner": account.user or account.team, "reason": data["reason"]},
                    messages.SUCCESS)
                return redirect("admin:credits_creditaccount_change", pk)
        context = {**self.admin_site.each_context(request),
                   "title": gettext("Grant or deduct credits — %(owner)s") % {"owner": account.user or account.team},
                   "account": account, "plan_name": plan_name(account.plan), "form": form, "opts": self.model._meta}
        return TemplateResponse(request, "admin/credits/creditaccount/adjust.html", context)


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


@admin.register(LedgerEntry)
class LedgerEntryAdmin(LargeListAdmin, ReadOnlyAdmin):
    # Five columns, related values sharing a cell (the time under the date, who did it under the
    # account, the kind under the amount, what is held under the balance, the reference under the
    # reason): nine would not fit beside the sidebar and the filters at 1280 px.
    list_display = ["when", "account_shown", "change", "balance_shown", "reason_shown"]
    list_select_related = ["account__user", "account__team", "actor"]  # (an account is a user's or a team's)
    list_filter = ["kind", "created_at"]
    search_fields = ["account__user__email", "reference", "reason", "idempotency_key"]
    # Newest first by id (the primary key's index): the ledger has no index on created_at alone,
    # and each one it has is written by every booking (bench figure 1).
    ordering = ["-id"]

    @admin.display(description=_("When"), ordering="created_at")
    def when(self, obj):
        moment = timezone.template_localtime(obj.created_at)
        return format_html('<span class="nowrap">{}</span><br><span class="small quiet">{}</span>',
                           formats.date_format(moment, "SHORT_DATE_FORMAT"), formats.time_format(moment, "TIME_FORMAT"))

    @admin.display(description=_("Account"), ordering="account")
    def account_shown(self, obj):
        """The account (a long address may break before its @), and who made the entry beneath."""
        account = breakable(str(obj.account))
        if not obj.actor:
            return account
        by = format_html(gettext("by {name}"), name=breakable(str(obj.actor)))
        return format_html('{}<br><span class="small quiet">{}</span>', account, by)

    @admin.display(description=_("Amount"), ordering="amount")
    def change(self, obj):
        return format_html('{}<br><span class="small quiet">{}</span>', f"{obj.amount:+d}" if obj.amount else 0,
                           obj.get_kind_display())

    @admin.display(description=_("Balance after"), ordering="balance_after")
    def balance_shown(self, obj):
        return format_html('{}<br><span class="small quiet nowrap">{}</span>', obj.balance_after,
                           gettext("%(n)s held") % {"n": obj.held_after})

    @admin.display(description=_("Reason"), ordering="reason")
    def reason_shown(self, obj):
        """The reason in the reader's language, from its code (search finds the English sentence stored),
        and its reference beneath."""
        reason = reason_text(obj.metadata) or obj.reason or "—"
        if not obj.reference:
            return reason
        return format_html('{}<br><span class="small quiet break-anywhere">{}</span>', reason,
                           obj.reference)


@admin.register(Hold)
class HoldAdmin(LargeListAdmin, ReadOnlyAdmin):
    ordering = ["-id"]
    list_display = ["created_at", "account", "amount", "captured_amount", "status", "reference", "settled_at"]
    list_select_related = ["account__user"]
    list_filter = ["status"]
    search_fields = ["reference", "account__user__email"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "gateway", "order", "event_type", "event_id", "signature_valid", "is_replay", "outcome"]
    list_select_related = ["order"]
    list_filter = ["gateway", "outcome", "signature_valid", "is_replay"]
    search_fields = ["event_id", "order__number"]


# --- the control room's User page: its credits panel and actions (assembled in modo.admin_site) ---


class RefundForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), widget=forms.RadioSelect, choices=[
        (refunds.Mode.PARTIAL, _("Partial: refund the money of the unspent credits, and take those credits back")),
        (refunds.Mode.FULL, _("Full: refund all the money, and take back the order's credits down to zero")),
    ])
    reference = forms.CharField(required=False, max_length=120, label=_("Refund reference"),
                                help_text=_("For a refund made by hand (manual transfer, Midtrans): the transfer's "
                                            "reference."))


class AmountForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount"), min_value=1, max_value=1_000_000)
    reason = forms.CharField(label=_("Reason"), max_length=255,
                             help_text=_("Required. The creator sees it in their credit history."))
    # One key per form shown: a double submit cannot apply twice.
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class PlanForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.all())
    billing_cycle = forms.ChoiceField(label=_("Billing cycle"), choices=[("monthly", _("Monthly")), ("yearly", _("Yearly"))])
    reason = forms.CharField(label=_("Reason"), max_length=255)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].label_from_instance = plan_name


class DaysForm(forms.Form):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=365, initial=7)


class UserCreditsAdmin:
    """Mixed into the User admin: the creator's plan, balance and trial, their recent ledger, and
    grant / deduct / change plan / extend trial as list actions that call the ledger."""

    def _account(self, obj):
        return getattr(obj, "credit_account", None)

    @admin.display(description=_("Plan"), ordering="credit_account__plan__sort_order")
    def plan(self, obj):
        """The plan's name; on a trial, the generations used of its cap and its last day beneath."""
        account = self._account(obj)
        if not account:
            return "—"
        if not account.plan.is_trial:
            return plan_name(account.plan)
        ends = account.trial_ends_at.date().isoformat() if account.trial_ends_at else "?"
        # A translated sentence holding markup (the date kept on one line): named fields, each escaped.
        date = format_html('<span class="nowrap">{}</span>', ends)
        trial = format_html(gettext("{used}/{cap} until {date}"), used=account.trial_generations_used,
                            cap=account.plan.trial_generation_cap or 0, date=date)
        return format_html('{}<br><span class="small quiet">{}</span>', plan_name(account.plan), trial)

    @admin.display(description=_("Balance"), ordering="credit_account__balance")
    def balance(self, obj):
        """The balance; what running jobs hold of it and its bonus credits beneath."""
        account = self._account(obj)
        if not account:
            return 0
        beneath = '<span class="small quiet"><span class="nowrap">{}</span> · <span class="nowrap">{}</span></span>'
        return format_html('{}<br>' + beneath, account.balance, gettext("%(n)s held") % {"n": account.held},
                           gettext("%(n)s bonus") % {"n": account.bonus_balance})

    @admin.display(description=_("Credit account"))
    def credits_summary(self, obj):
        account = self._account(obj)
        if account is None:
            return "—"
        # Django's own way with a translated sentence holding markup: named fields, each escaped.
        summary = format_html(gettext("{plan} · balance <b>{balance}</b> (held {held}, bonus {bonus}, available {available})"),
                              plan=plan_name(account.plan), balance=account.balance, held=account.held, bonus=account.bonus_balance,
                              available=account.available)
        return format_html('{} · <a href="{}">{}</a>', summary,
                           reverse("admin:credits_creditaccount_adjust", args=[account.pk]), gettext("Grant / deduct"))

    @admin.display(description=_("Recent ledger entries"))
    def recent_ledger(self, obj):
        entries = LedgerEntry.objects.filter(account__user=obj).order_by("-created_at")[:10]
        # format_html escapes every argument to a string first: the sign is formatted here.
        return format_html_join("", "<div>{} · {} · {} → {} · {}</div>",
                                ((e.created_at.strftime("%Y-%m-%d %H:%M"), e.get_kind_display(), f"{e.amount:+d}",
                                  e.balance_after, reason_text(e.metadata) or e.reason or e.reference) for e in entries)) or "—"

    # --- actions (each asks for its details on a second page, then calls the services) ------------

    def _form_page(self, request, queryset, form, title, action, note=""):
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "users": list(queryset),
                   "action": action, "note": note, "opts": self.model._meta}
        return TemplateResponse(request, "admin/accounts/user/action_form.html", context)

    def _adjust(self, request, queryset, sign, title, action):
        if not request.user.has_perm("credits.change_creditaccount"):
            raise PermissionDenied
        form = AmountForm(request.POST if "apply" in request.POST else None,
                          initial={"idempotency_key": f"admin:{uuid.uuid4()}"})
        if not form.is_valid():
            return self._form_page(request, queryset, form, title, action)
        data, done = form.cleaned_data, 0
        for user in queryset:
            try:
                ledger.credits_admin_adjust(account=credit_account_for(user=user), delta=sign * data["amount"],
                                              reason=data["reason"], actor=request.user,
                                              idempotency_key=f"{data['idempotency_key']}:{user.pk}")
                done += 1
            except CreditsError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
        self.message_user(request, gettext("%(delta)s credits for %(count)s user(s): %(reason)s") % {
            "delta": f"{sign * data['amount']:+d}", "count": done, "reason": data["reason"]})
        return None

    @admin.action(description=_("Grant credits…"))
    def grant_credits(self, request, queryset):
        return self._adjust(request, queryset, 1, gettext("Grant credits"), "grant_credits")

    @admin.action(description=_("Deduct credits…"))
    def deduct_credits(self, request, queryset):
        return self._adjust(request, queryset, -1, gettext("Deduct credits"), "deduct_credits")

    @admin.action(description=_("Change plan…"))
    def change_plan(self, request, queryset):
        if not request.user.has_perm("credits.change_creditaccount"):
            raise PermissionDenied
        form = PlanForm(request.POST if "apply" in request.POST else None,
                        initial={"idempotency_key": f"admin-plan:{uuid.uuid4()}"})
        if not form.is_valid():
            return self._form_page(request, queryset, form, gettext("Change plan"), "change_plan",
                                   note=gettext("The current cycle's unspent plan credits expire; the new plan's are "
                                                "granted."))
        data = form.cleaned_data
        for user in queryset:
            ledger.account_plan_change(account=credit_account_for(user=user), plan=data["plan"],
                                         billing_cycle=data["billing_cycle"], key=f"{data['idempotency_key']}:{user.pk}",
                                         actor=request.user, reason=data["reason"])
        self.message_user(request, gettext("%(count)s user(s) moved to %(plan)s.")
                          % {"count": queryset.count(), "plan": data["plan"]})
        return None

    @admin.action(description=_("Extend trial…"))
    def extend_trial(self, request, queryset):
        if not request.user.has_perm("credits.change_creditaccount"):
            raise PermissionDenied
        form = DaysForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._form_page(request, queryset, form, gettext("Extend trial"), "extend_trial")
        for user in queryset:
            try:
                ledger.account_trial_extend(account=credit_account_for(user=user), days=form.cleaned_data["days"])
            except CreditsError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.WARNING)
        return None


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "monthly_credit_cap", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Teams with their plan, balance and members. Credits are granted or deducted on the team's
    account through the same ledger action as a user's (the account's "Grant / deduct" page)."""

    list_display = ["picture", "name", "slug", "plan", "balance", "members", "account_link", "deleted_at", "created_at"]
    list_display_links = ["picture", "name"]
    list_select_related = ["credit_account__plan"]
    search_fields = ["name", "slug", "memberships__user__email"]
    # The picture is uploaded by the team (decoded and re-encoded there), never through this form.
    exclude = ["avatar"]
    readonly_fields = ["public_id", "picture", "created_at", "updated_at", "deleted_at", "account_link"]
    inlines = [MembershipInline]
    actions = ["remove_picture"]

    @admin.display(description=_("Picture"))
    def picture(self, obj):
        if not obj.avatar:
            return format_html('<span title="{}">{}</span>', gettext("No picture: members see the initials"), obj.initials)
        url = reverse("accounts:team_avatar", args=[obj.public_id])
        return format_html('<img src="{}?v={}" alt="" width="32" height="32">', url, int(obj.updated_at.timestamp()))

    @admin.action(description=_("Remove the selected teams' pictures"), permissions=["change"])
    def remove_picture(self, request, queryset):
        done = 0
        for team in queryset.exclude(avatar=""):
            team_services.team_avatar_remove(team=team)
            done += 1
        self.message_user(request, gettext("%(count)s picture(s) removed.") % {"count": done})

    def get_queryset(self, request):
        # A count per row shown (a subquery), not a GROUP BY over every team before the page is cut.
        members = Membership.objects.filter(team=OuterRef("pk")).order_by().values("team").annotate(n=Count("pk"))
        return super().get_queryset(request).annotate(member_count=Coalesce(Subquery(members.values("n")), 0))

    @admin.display(description=_("Plan"))
    def plan(self, obj):
        account = getattr(obj, "credit_account", None)
        return plan_name(account.plan) if account else "—"

    @admin.display(description=_("Available credits"))
    def balance(self, obj):
        account = getattr(obj, "credit_account", None)
        return account.available if account else 0

    @admin.display(description=_("Members"), ordering="member_count")
    def members(self, obj):
        return obj.member_count

    @admin.display(description=_("Credits"))
    def account_link(self, obj):
        account = getattr(obj, "credit_account", None)
        if account is None:
            return "—"
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>',
                           reverse("admin:credits_creditaccount_change", args=[account.pk]), gettext("Account"),
                           reverse("admin:credits_creditaccount_adjust", args=[account.pk]), gettext("Grant / deduct"))
