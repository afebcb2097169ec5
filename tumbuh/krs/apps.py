from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KrsConfig(AppConfig):
    name = "tumbuh.krs"
    verbose_name = _("At-risk families (KRS) and TPK")
