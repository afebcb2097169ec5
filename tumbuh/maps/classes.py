"""Colour classes for the choropleth and the tile grid: fixed breaks per indicator, so that a
colour means the same prevalence on every map, round after round.

Breaks for stunting, wasting, overweight and underweight are the prevalence thresholds of
public-health significance (WHO/UNICEF 2018 for stunting, wasting and overweight; WHO 1995 for
underweight). Severe stunting and severe wasting have no official thresholds; their breaks
are Tumbuh's choice, scaled to the figures a district sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tumbuh.core.numbers import PERCENT_PLACES, excel_value, format_number

#: ColorBrewer YlOrRd, five classes (light = low prevalence, dark red = high).
COLOURS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NO_DATA = "#d9dee3"

BREAKS: dict[str, tuple[float, ...]] = {
    "stunting": (2.5, 10, 20, 30),
    "severe_stunting": (1, 2.5, 5, 10),
    "wasting": (2.5, 5, 10, 15),
    "severe_wasting": (0.5, 1, 2.5, 5),
    "underweight": (5, 10, 20, 30),
    "overweight": (2.5, 5, 10, 15),
}


@dataclass(frozen=True)
class ColourClass:
    index: int
    lower: float | None
    upper: float | None
    colour: str

    @property
    def label(self) -> str:
        fmt = lambda v: format_number(v, 1, min_places=0)  # noqa: E731  "2,5" in Indonesian, "2.5" in English
        if self.lower is None:
            return f"< {fmt(self.upper)} %"
        if self.upper is None:
            return f"≥ {fmt(self.lower)} %"
        return f"{fmt(self.lower)} – < {fmt(self.upper)} %"

    @property
    def dark(self) -> bool:
        """Whether text on this colour should be white."""
        return self.index >= 3


def classes(indicator: str) -> list[ColourClass]:
    breaks = BREAKS.get(indicator, BREAKS["stunting"])
    bounds = [None, *breaks, None]
    return [ColourClass(i, bounds[i], bounds[i + 1], COLOURS[i]) for i in range(len(COLOURS))]


def class_of(indicator: str, value: float | None) -> ColourClass | None:
    if value is None:
        return None
    for c in classes(indicator):
        if c.upper is None or value < c.upper:
            return c
    return None


def no_data_label() -> str:
    return _("no data")


def figure_json(value: float | None, ll: float | None, ul: float | None) -> dict:
    """A figure and its interval for a map's JSON (``maps/map.js``): rounded by the one rule, and
    as text in the active language (``value_text``…), as the tables and exports write them."""
    return {
        "value": excel_value(value, PERCENT_PLACES),
        "ll": excel_value(ll, PERCENT_PLACES),
        "ul": excel_value(ul, PERCENT_PLACES),
        "value_text": format_number(value, PERCENT_PLACES),
        "ll_text": format_number(ll, PERCENT_PLACES),
        "ul_text": format_number(ul, PERCENT_PLACES),
    }
