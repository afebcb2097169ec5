"""The audit log in the settings menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import SETTINGS, Entry


def entries():
    return [Entry(SETTINGS, 70, _("Audit log"), "audit:list")]
