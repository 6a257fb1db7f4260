from django.apps import AppConfig


class ModoConfig(AppConfig):
    """Site-wide pieces that belong to no product app: public pages, contact, health."""

    name = "modo"
    verbose_name = "Site"

    def ready(self):
        from . import after_response
        from .admin_site import users

        after_response.connect_signals()
        # django.contrib.admin's ready() has loaded every app's admin module by now.
        users.register()
