from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasurementsConfig(AppConfig):
    name = "tumbuh.measurements"
    verbose_name = _("Child measurements")
