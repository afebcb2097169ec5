from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RencanaConfig(AppConfig):
    name = "tumbuh.rencana"
    verbose_name = _("Activity plan (Action 2)")
