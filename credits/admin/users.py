"""The control room's User page: its credits panel and actions (assembled in modo.admin_site.users)."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from modo.admin import stacked

from .. import ledger
from ..exceptions import CreditsError
from ..models import (
    LedgerEntry,
    Plan,
)
from ..reasons import reason_text
from ..selectors import credit_account_for
from .plans import plan_name


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
        return stacked(plan_name(account.plan), trial)

    @admin.display(description=_("Balance"), ordering="credit_account__balance")
    def balance(self, obj):
        """The balance; what running jobs hold of it and its bonus credits beneath."""
        account = self._account(obj)
        if not account:
            return 0
        return stacked(account.balance, format_html('<span class="nowrap">{}</span> · <span class="nowrap">{}</span>',
                                                    gettext("%(n)s held") % {"n": account.held},
                                                    gettext("%(n)s bonus") % {"n": account.bonus_balance}))

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
