"""A coverage above 100 %: one rule for every page and export that shows one. The dashboards'
coverage (children measured ÷ children targeted, per area: ``aggregates``) can exceed 100 %: a
measurement counts in the desa and posyandu where it was taken, the registered children in their
home desa, and a Dukcapil figure is an estimate. (An indicator's coverage per desa, ``indikator``,
cannot: its model refuses a numerator above the denominator and a value above 100.) Pages load
``{% load coverage %}`` (``coverage_mark``, ``coverage_note``); workbooks use :func:`over_full`,
:data:`MARK` and :func:`note`.

More were served than the denominator counts. That is not an error to hide nor a result to
praise: the denominator is often an estimate (a Dukcapil figure, a projection, last year's
count), or children from outside the area were served here (a posyandu near a border, a child
staying with relatives). Such a value keeps its number, carries :data:`MARK` and the page or
export says :func:`note` once. A value counts as above 100 % when it reads above 100 as shown
(one decimal): 100,04 reads "100,0" and is not marked."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

#: The footnote marker beside a coverage above 100 %.
MARK = "†"


def over_full(value) -> bool:
    """Whether ``value`` (a percentage) reads above 100 at one decimal."""
    if value is None or value == "":
        return False
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) > 100


def note() -> str:
    """The footnote, in the active language."""
    return _(
        "%(mark)s Above 100 %%: more were served than the target denominator counts. The target is an estimate "
        "(a Dukcapil figure or a projection), or children from outside the area were served here."
    ) % {"mark": MARK}
