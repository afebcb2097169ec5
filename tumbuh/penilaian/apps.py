from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PenilaianConfig(AppConfig):
    name = "tumbuh.penilaian"
    verbose_name = _("Penilaian kinerja (the province's assessment)")
