from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GentingConfig(AppConfig):
    name = "tumbuh.genting"
    verbose_name = _("GENTING foster parents")
