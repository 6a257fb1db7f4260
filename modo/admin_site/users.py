"""The control room's User page: accounts' User admin, plus the credits panel and actions and the
jobs panel of the apps above accounts (accounts itself knows neither)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin as AccountUserAdmin
from accounts.models import User
from credits.admin import PlanListFilter, UserCreditsAdmin
from modo.admin import CachedRowsAdmin, LargeListAdmin
from studio.admin import UserJobsAdmin


class UserAdmin(CachedRowsAdmin, LargeListAdmin, UserJobsAdmin, UserCreditsAdmin, AccountUserAdmin):
    # Newest first (accounts' ordering, "-date_joined"), served by user_joined_recent_idx; no
    # COUNT of every user (LargeListAdmin); the projects column a subquery per row (UserJobsAdmin);
    # the rendered rows cached under a digest of what they show (CachedRowsAdmin).
    # Six columns, related values sharing a cell (name under email, trial under plan, held and bonus
    # under balance): ten would not fit beside the sidebar and the filters at 1280 px.
    list_display = ["user", "plan", "balance", "projects", "last_seen", "is_active"]
    list_filter = ["is_active", "is_staff", "is_superuser", ("credit_account__plan", PlanListFilter), "locale"]
    list_select_related = ["credit_account__plan"]
    # Each row renders its cells and an action checkbox (at most 0.3 ms a row when not cached): 50
    # rows keep the list well under 100 ms; search and filters find anyone further down.
    list_per_page = 50
    readonly_fields = [*AccountUserAdmin.readonly_fields, "credits_summary", "recent_ledger", "recent_jobs"]
    fieldsets = [
        AccountUserAdmin.fieldsets[0],  # email, password, public id
        (_("Credits"), {"fields": ["credits_summary", "recent_ledger", "recent_jobs"]}),
        *AccountUserAdmin.fieldsets[1:],  # profile, permissions, dates
    ]
    actions = ["grant_credits", "deduct_credits", "change_plan", "extend_trial", *AccountUserAdmin.actions]


def register() -> None:
    """Replaces accounts' registration; called from ModoConfig.ready(), once every app's admin
    module is loaded (importing accounts.admin above registers it first, whatever the order)."""
    admin.site.unregister(User)
    admin.site.register(User, UserAdmin)
