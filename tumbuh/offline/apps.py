from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    name = "tumbuh.offline"
    verbose_name = _("Offline posyandu entry")
