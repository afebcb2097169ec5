"""The indicator catalogue and coverage in the menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import DATA, Entry


def entries():
    return [Entry(DATA, 70, _("Indicators and coverage"), "indikator:catalogue")]
