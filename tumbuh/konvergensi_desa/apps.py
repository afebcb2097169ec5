from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KonvergensiDesaConfig(AppConfig):
    name = "tumbuh.konvergensi_desa"
    verbose_name = _("Village convergence (Aksi 4 and 5, OPD Pembina Desa)")
