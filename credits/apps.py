from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditsConfig(AppConfig):
    name = "credits"
    verbose_name = _("Credits")

    def ready(self):
        from modo import catalog

        from .models import CreditCost

        catalog.register("costs", lambda: CreditCost.objects.filter(is_active=True), models=[CreditCost])
