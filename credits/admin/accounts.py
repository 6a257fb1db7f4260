"""Credit accounts (with grant / deduct through the ledger), the ledger's entries and the holds, read-only."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from modo.admin import LargeListAdmin, ReadOnlyAdmin, breakable, stacked

from .. import ledger
from ..exceptions import CreditsError
from ..models import (
    CreditAccount,
    Hold,
    LedgerEntry,
)
from ..reasons import reason_text
from .plans import PlanListFilter, plan_name


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
        return stacked(format_html('<span class="nowrap">{}</span>', formats.date_format(moment, "SHORT_DATE_FORMAT")),
                       formats.time_format(moment, "TIME_FORMAT"))

    @admin.display(description=_("Account"), ordering="account")
    def account_shown(self, obj):
        """The account (a long address may break before its @), and who made the entry beneath."""
        account = breakable(str(obj.account))
        if not obj.actor:
            return account
        by = format_html(gettext("by {name}"), name=breakable(str(obj.actor)))
        return stacked(account, by)

    @admin.display(description=_("Amount"), ordering="amount")
    def change(self, obj):
        return stacked(f"{obj.amount:+d}" if obj.amount else 0, obj.get_kind_display())

    @admin.display(description=_("Balance after"), ordering="balance_after")
    def balance_shown(self, obj):
        return stacked(obj.balance_after, gettext("%(n)s held") % {"n": obj.held_after}, css="nowrap")

    @admin.display(description=_("Reason"), ordering="reason")
    def reason_shown(self, obj):
        """The reason in the reader's language, from its code (search finds the English sentence stored),
        and its reference beneath."""
        reason = reason_text(obj.metadata) or obj.reason or "—"
        if not obj.reference:
            return reason
        return stacked(reason, obj.reference, css="break-anywhere")


@admin.register(Hold)
class HoldAdmin(LargeListAdmin, ReadOnlyAdmin):
    ordering = ["-id"]
    list_display = ["created_at", "account", "amount", "captured_amount", "status", "reference", "settled_at"]
    list_select_related = ["account__user"]
    list_filter = ["status"]
    search_fields = ["reference", "account__user__email"]
