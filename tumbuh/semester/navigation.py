"""The semester report in the menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import TPPS, Entry


def entries():
    return [Entry(TPPS, 30, _("Semester report"), "semester:list")]
