from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = _("Studio")

    def ready(self):
        from modo import catalog

        from .models import ImagePreset

        # In their admin order (kind, sort order).
        catalog.register("presets", lambda: ImagePreset.objects.filter(is_active=True), models=[ImagePreset])
