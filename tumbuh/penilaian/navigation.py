"""Penilaian kinerja in the menu, beside the TPPS's other reports to the province: the province
assesses there, a district reads its own final result."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import TPPS, Entry


def entries():
    return [Entry(TPPS, 70, _("Penilaian kinerja"), "penilaian:index")]
