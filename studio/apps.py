from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = _("Studio")

    def ready(self):
        from aiproviders import webhooks
        from modo import catalog

        from . import rollups
        from .generate import worker
        from .models import ImagePreset

        # In their admin order (kind, sort order).
        catalog.register("presets", lambda: ImagePreset.objects.filter(is_active=True), models=[ImagePreset])
        # A verified vendor webhook (Replicate) has the job it names checked at once.
        webhooks.vendor_job_handler_register(worker.job_vendor_event)
        # The studio's daily roll-ups for the analytics page (modo/rollups.py).
        rollups.register()
