from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RapatConfig(AppConfig):
    name = "tumbuh.rapat"
    verbose_name = _("Coordination meetings")
