"""The coordination meetings in the menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import TPPS, Entry


def entries():
    return [
        Entry(
            TPPS,
            20,
            _("Coordination meetings"),
            "rapat:list",
            summary=_("Rapat Koordinasi TPPS with attendance, minutes and action items."),
        )
    ]
