"""The offline posyandu entry in the menu, next to the posyandu form, for those who record visits."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import DATA, Entry
from tumbuh.measurements.navigation import records_visits


def entries():
    return [Entry(DATA, 21, _("Offline mode / enter without signal"), "luring:entry", when=records_visits)]
