from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AIProvidersConfig(AppConfig):
    name = "aiproviders"
    verbose_name = _("AI providers")

    def ready(self):
        from modo import catalog

        from . import rollups
        from .models import AIModel, Provider

        def enabled_models():  # of enabled providers: defaults first, then by priority
            return (AIModel.objects.select_related("provider").filter(enabled=True, provider__enabled=True)
                    .order_by("-is_default", "priority", "id"))

        catalog.register("models", enabled_models, models=[AIModel, Provider])
        # The usage log's daily roll-ups for the analytics page (modo/rollups.py).
        rollups.register()
