from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditsConfig(AppConfig):
    name = "credits"
    verbose_name = _("Credits")

    def ready(self):
        from modo import catalog

        from . import rollups
        from .models import CreditCost, Plan

        catalog.register("costs", lambda: CreditCost.objects.filter(is_active=True), models=[CreditCost])
        # Every plan, active or not (an account may stay on a retired one): the guards read an
        # account's plan from here under its lock (credits/ledger.py, account_lock).
        catalog.register("plans", lambda: Plan.objects.all(), models=[Plan])
        # The ledger's daily roll-ups for the analytics page (modo/rollups.py).
        rollups.register()
