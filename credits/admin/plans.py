"""The catalogue's admin: plans (and the filter and name every list uses for them), credit packages, credit costs."""


from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from ..models import (
    CreditCost,
    CreditPackage,
    Plan,
)


def plan_name(plan: Plan) -> str:
    """A plan's name as its reader says it: the default plans' names (Trial, Free) are translated, as
    on the creators' pages and in the ledger's reasons. The plan's own admin page shows the name stored."""
    return pgettext("plan name", plan.name)

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
