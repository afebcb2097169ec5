"""The regions in the settings menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import SETTINGS, Entry


def entries():
    return [Entry(SETTINGS, 10, _("Regions"), "wilayah:list")]
