"""Template helpers for at-risk families: the wife's NIK (masked as the head's is, see
``{% nik %}``) and a yes / no / unknown answer in words."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from tumbuh.accounts import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def nik_istri(context, keluarga) -> str:
    """The wife's NIK: in full only to the roles ``policy.can_see_nik`` allows for this family."""
    if not keluarga.nik_istri:
        return "—"
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is not None and policy.can_see_nik(user, keluarga):
        return keluarga.nik_istri
    return keluarga.nik_istri_masked


@register.filter
def yes_no_unknown(value) -> str:
    """True → "yes", False → "no", None (the list did not say) → "unknown"."""
    if value is None:
        return _("unknown")
    return _("yes") if value else _("no")
