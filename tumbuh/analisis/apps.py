from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalisisConfig(AppConfig):
    name = "tumbuh.analisis"
    verbose_name = _("Situation analysis (Aksi 1)")
