"""The TPPS teams in the menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import TPPS, Entry


def entries():
    return [Entry(TPPS, 10, _("Teams (TPPS)"), "tpps:list")]
