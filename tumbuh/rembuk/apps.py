from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RembukConfig(AppConfig):
    name = "tumbuh.rembuk"
    verbose_name = _("Rembuk Stunting (Action 3)")
