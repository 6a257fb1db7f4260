from django.apps import AppConfig


class ModoConfig(AppConfig):
    """Site-wide pieces that belong to no product app: public pages, contact, health."""

    name = "modo"
    verbose_name = "Site"

    def ready(self):
        from . import after_response, catalog

        after_response.connect_signals()
        catalog.connect_signals()
