"""Teams: members, their credit account and its grant / deduct."""


from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import teams as team_services
from accounts.models import Membership, Team

from .plans import plan_name


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
