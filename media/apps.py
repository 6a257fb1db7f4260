from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = _("Media")

    def ready(self):
        from accounts import notifications

        from .services import asset_picture

        # Notification emails show what a job made as a small inline picture (accounts imports no media).
        notifications.picture_source_register(asset_picture)
