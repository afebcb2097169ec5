from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TppsConfig(AppConfig):
    name = "tumbuh.tpps"
    verbose_name = _("TPPS team")
