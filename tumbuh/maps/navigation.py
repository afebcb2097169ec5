"""The map in the menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import DATA, Entry


def entries():
    return [Entry(DATA, 80, _("Map"), "maps:map")]
