"""The at-risk families and the stunting targeting in the menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import TPPS, Entry


def entries():
    return [
        Entry(TPPS, 40, _("At-risk families (KRS)"), "krs:list"),
        Entry(TPPS, 50, _("Stunting targeting"), "krs:targeting"),
    ]
