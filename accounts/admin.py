import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from credits import ledger
from credits.exceptions import CreditsError
from credits.models import LedgerEntry, Plan
from credits.selectors import credit_account_for
from modo.admin import QuickActionCheckbox

from .models import ApiToken, User


class AmountForm(forms.Form):
    amount = forms.IntegerField(min_value=1, max_value=1_000_000)
    reason = forms.CharField(max_length=255, help_text="Required. The creator sees it in their credit history.")
    # One key per form shown: a double submit cannot apply twice.
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class PlanForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all())
    billing_cycle = forms.ChoiceField(choices=[("monthly", "Monthly"), ("yearly", "Yearly")])
    reason = forms.CharField(max_length=255)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class DaysForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=365, initial=7)


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
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["-date_joined"]
    list_display = ["email", "display_name", "plan", "balance", "held", "bonus", "trial", "projects", "last_login",
                    "is_active"]
    list_filter = ["is_active", "is_staff", "is_superuser", "credit_account__plan", "locale"]
    list_select_related = ["credit_account__plan"]
    # Each row renders ten columns and an action checkbox (about 0.35 ms a row): 50 rows keep the
    # list well under 100 ms; search and filters find anyone further down.
    list_per_page = 50
    search_fields = ["email", "display_name"]
    readonly_fields = ["public_id", "date_joined", "last_login", "created_at", "updated_at", "credits_summary",
                       "recent_ledger", "recent_jobs"]
    fieldsets = [
        (None, {"fields": ["email", "password", "public_id"]}),
        (_("Credits"), {"fields": ["credits_summary", "recent_ledger", "recent_jobs"]}),
        (_("Profile"), {"fields": ["display_name", "avatar", "locale", "timezone", "storage_preference"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["date_joined", "last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = ["grant_credits", "deduct_credits", "change_plan", "extend_trial", "deactivate"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            project_count=Count("projects", filter=Q(projects__deleted_at__isnull=True), distinct=True))

    def _account(self, obj):
        return getattr(obj, "credit_account", None)

    @admin.display(description="Plan", ordering="credit_account__plan__sort_order")
    def plan(self, obj):
        account = self._account(obj)
        return account.plan.name if account else "—"

    @admin.display(description="Balance", ordering="credit_account__balance")
    def balance(self, obj):
        account = self._account(obj)
        return account.balance if account else 0

    @admin.display(description="Held")
    def held(self, obj):
        account = self._account(obj)
        return account.held if account else 0

    @admin.display(description="Bonus")
    def bonus(self, obj):
        account = self._account(obj)
        return account.bonus_balance if account else 0

    @admin.display(description="Trial")
    def trial(self, obj):
        account = self._account(obj)
        if not account or not account.plan.is_trial:
            return "—"
        ends = account.trial_ends_at.date().isoformat() if account.trial_ends_at else "?"
        return f"{account.trial_generations_used}/{account.plan.trial_generation_cap or 0} until {ends}"

    @admin.display(description="Projects", ordering="project_count")
    def projects(self, obj):
        return obj.project_count

    @admin.display(description="Credit account")
    def credits_summary(self, obj):
        account = self._account(obj)
        if account is None:
            return "—"
        return format_html('{} · balance <b>{}</b> (held {}, bonus {}, available {}) · <a href="{}">Grant / deduct</a>',
                           account.plan, account.balance, account.held, account.bonus_balance, account.available,
                           reverse("admin:credits_creditaccount_adjust", args=[account.pk]))

    @admin.display(description="Recent ledger entries")
    def recent_ledger(self, obj):
        entries = LedgerEntry.objects.filter(account__user=obj).order_by("-created_at")[:10]
        return format_html_join("", "<div>{} · {} · {:+d} → {} · {}</div>",
                                ((e.created_at.strftime("%Y-%m-%d %H:%M"), e.get_kind_display(), e.amount,
                                  e.balance_after, e.reason or e.reference) for e in entries)) or "—"

    @admin.display(description="Recent jobs")
    def recent_jobs(self, obj):
        from studio.models import Generation

        jobs = Generation.objects.filter(owner=obj).order_by("-created_at")[:10]
        return format_html_join("", '<div><a href="{}">{}</a> · {} · {} · {} credits</div>',
                                ((reverse("admin:studio_generation_change", args=[j.pk]), j.created_at.strftime(
                                    "%Y-%m-%d %H:%M"), j.get_kind_display(), j.get_status_display(),
                                  j.cost_charged) for j in jobs)) or "—"

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
        self.message_user(request, f"{sign * data['amount']:+d} credits for {done} user(s): {data['reason']}")
        return None

    @admin.action(description="Grant credits…")
    def grant_credits(self, request, queryset):
        return self._adjust(request, queryset, 1, "Grant credits", "grant_credits")

    @admin.action(description="Deduct credits…")
    def deduct_credits(self, request, queryset):
        return self._adjust(request, queryset, -1, "Deduct credits", "deduct_credits")

    @admin.action(description="Change plan…")
    def change_plan(self, request, queryset):
        if not request.user.has_perm("credits.change_creditaccount"):
            raise PermissionDenied
        form = PlanForm(request.POST if "apply" in request.POST else None,
                        initial={"idempotency_key": f"admin-plan:{uuid.uuid4()}"})
        if not form.is_valid():
            return self._form_page(request, queryset, form, "Change plan", "change_plan",
                                   note="The current cycle's unspent plan credits expire; the new plan's are granted.")
        data = form.cleaned_data
        for user in queryset:
            ledger.account_plan_change(account=credit_account_for(user=user), plan=data["plan"],
                                       billing_cycle=data["billing_cycle"], key=f"{data['idempotency_key']}:{user.pk}",
                                       actor=request.user, reason=data["reason"])
        self.message_user(request, f"{queryset.count()} user(s) moved to {data['plan']}.")
        return None

    @admin.action(description="Extend trial…")
    def extend_trial(self, request, queryset):
        if not request.user.has_perm("credits.change_creditaccount"):
            raise PermissionDenied
        form = DaysForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._form_page(request, queryset, form, "Extend trial", "extend_trial")
        for user in queryset:
            try:
                ledger.account_trial_extend(account=credit_account_for(user=user), days=form.cleaned_data["days"])
            except CreditsError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.WARNING)
        return None

    @admin.action(description="Deactivate (they can no longer sign in)", permissions=["change"])
    def deactivate(self, request, queryset):
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, f"{count} user(s) deactivated.")


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
