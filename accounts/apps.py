from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    # After every app's migrate (its permissions exist by then): the roles stay in step.
    from .roles import roles_sync

    roles_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's email addresses already sit under "Accounts" in the admin: one heading per app.
    verbose_name = _("Users")

    def ready(self):
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.sync_roles")
        from anymail.signals import tracking

        from .notifications.bounces import tracking_received

        tracking.connect(tracking_received, dispatch_uid="accounts.notifications.bounces")
