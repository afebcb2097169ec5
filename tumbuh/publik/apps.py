from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublikConfig(AppConfig):
    name = "tumbuh.publik"
    verbose_name = _("Public page")
