from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndikatorConfig(AppConfig):
    name = "tumbuh.indikator"
    verbose_name = _("Indicators and coverage")
