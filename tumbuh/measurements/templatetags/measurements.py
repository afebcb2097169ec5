"""Template helpers for children and visits.

``{% nik child %}`` is the only way a template shows a NIK (``{% nik family "wife_nik" %}`` for
another NIK field of a record): in full to the roles the policy
allows (``policy.can_see_nik``), masked (``7324••••••••0012``) to everyone else, so a NIK never
renders in full by accident.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.core.numbers import format_number
from tumbuh.growth.classify import LABELS
from tumbuh.measurements.nik import mask_nik

register = template.Library()


@register.simple_tag(takes_context=True)
def nik(context, child, field: str = "nik") -> str:
    """``{% nik child %}``; another NIK of the same record: ``{% nik family "wife_nik" %}``."""
    value = getattr(child, field)
    if not value:
        return "—"
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is not None and policy.can_see_nik(user, child):
        return value
    return mask_nik(value)


@register.filter
def status_label(code, indicator: str) -> str:
    """A Permenkes 2/2020 category in Indonesian words (``pendek`` → ``Pendek``)."""
    if not code:
        return "—"
    return LABELS.get(indicator, {}).get(code, (code, code))[0]


@register.filter
def status_class(code) -> str:
    """A CSS class for how worrying a category is."""
    if not code:
        return ""
    if code in ("sangat_pendek", "gizi_buruk", "bb_sangat_kurang", "obesitas", "implausible"):
        return "status-bad"
    if code in ("pendek", "gizi_kurang", "bb_kurang", "gizi_lebih", "berisiko_gizi_lebih", "risiko_bb_lebih"):
        return "status-warn"
    return "status-ok"


@register.filter
def zscore(value) -> str:
    """A z-score with 2 decimals, in the current language's number format (−1,23 in Indonesian),
    rounded by the one rule (``tumbuh.core.numbers``)."""
    if value is None or value == "":
        return "—"
    return format_number(value, 2, grouping=False)


@register.filter
def age_text(days) -> str:
    """Age at a visit: ``2 y 3 m`` (Indonesian ``2 th 3 bl``)."""
    if days is None:
        return "—"
    months = int(days / 30.4375)
    years, months = divmod(months, 12)
    if years:
        return _("%(years)d y %(months)d m") % {"years": years, "months": months}
    return _("%(months)d m") % {"months": months}
