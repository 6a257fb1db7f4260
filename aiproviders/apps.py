from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AIProvidersConfig(AppConfig):
    name = "aiproviders"
    verbose_name = _("AI providers")
