"""Figures in templates by the one rounding rule (:mod:`tumbuh.core.numbers`)::

    {% load numbers %}
    {{ row.r|figure }} %            {# one decimal: 20,1 (Indonesian), 20.1 (English) #}
    {{ row.sd|figure:2 }}           {# two decimals #}
    {{ target|figure:"-1" }}        {# one decimal only when there is one: 14, 14,5 #}
    {{ row.r|figure|default:"—" }}  {# "" for None, so default works #}

Use ``figure`` instead of ``floatformat`` for every prevalence, interval and coverage, so the
page, its PDF, its Excel and its CSV show the same digits. A year, row number or id is no
figure: ``{% load l10n %}{{ r.row_number|unlocalize }}`` (1070, never 1.070)."""

from __future__ import annotations

from django import template

from tumbuh.core.numbers import PERCENT_PLACES, format_number

register = template.Library()


@register.filter
def figure(value, places=PERCENT_PLACES):
    """``value`` rounded to ``places`` decimals (default 1), in the active language; a negative
    ``places`` rounds to ``-places`` decimals and drops trailing zeros (as ``floatformat``)."""
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = PERCENT_PLACES
    if value == "":
        return ""
    if places < 0:
        return format_number(value, -places, min_places=0)
    return format_number(value, places)
