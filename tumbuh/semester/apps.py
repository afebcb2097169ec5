from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SemesterConfig(AppConfig):
    name = "tumbuh.semester"
    verbose_name = _("TPPS semester report")
