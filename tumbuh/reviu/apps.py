from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviuConfig(AppConfig):
    name = "tumbuh.reviu"
    verbose_name = _("Annual performance review (Action 8)")
