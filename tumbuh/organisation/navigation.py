"""The district's organisations and letterheads in the settings menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import SETTINGS, Entry


def entries():
    return [
        Entry(SETTINGS, 20, _("Puskesmas"), "organisation:puskesmas_list"),
        Entry(SETTINGS, 30, _("Posyandu"), "organisation:posyandu_list"),
        Entry(SETTINGS, 40, _("OPD (agencies)"), "organisation:opd_list"),
        Entry(SETTINGS, 50, _("Letterheads"), "organisation:list", ("kop-surat",)),
    ]
