from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AksiConfig(AppConfig):
    name = "tumbuh.aksi"
    verbose_name = _("Convergence actions")
