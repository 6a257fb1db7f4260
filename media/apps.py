from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = _("Media")

    def ready(self):
        from allauth.socialaccount.models import SocialApp

        from modo import catalog

        # Google login's OAuth client when it is set in the admin (media/drive.py: oauth_client):
        # every page asks whether Drive is available, so it is read with the configuration.
        catalog.register("google_apps", lambda: SocialApp.objects.filter(provider="google").exclude(client_id="")
                         .exclude(secret="").order_by("pk")[:1], models=[SocialApp])
