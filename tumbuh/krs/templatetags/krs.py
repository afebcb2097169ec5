"""Template helpers for at-risk families. (Their NIKs, the head's and the wife's, go through
``{% nik %}`` of the measurements tags: ``{% nik family "wife_nik" %}``.)"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def yes_no_unknown(value) -> str:
    """True → "yes", False → "no", None (the list did not say) → "unknown"."""
    if value is None:
        return _("unknown")
    return _("yes") if value else _("no")
