"""Penilaian kinerja in the menu: after the eight actions, for the province and the districts."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import CYCLE, Entry


def entries():
    return [Entry(CYCLE, 20, _("Penilaian kinerja"), "penilaian:index")]
