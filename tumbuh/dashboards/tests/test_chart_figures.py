"""A chart's tooltip shows the table's digits (issue 14: one rounding rule everywhere).

The dashboard charts format their figures with d3-format (``"format": ".1f"``), which rounds the
binary float: a prevalence of 20.15 (stored as 20.1499…) reads "20,1" in the chart while the
table beside it, by the one rule (``tumbuh.core.numbers``), says "20,2". The specs therefore hold
the figure already rounded by the rule. The check renders each tooltip's field with its own
format through vl-convert (the d3 the charts are drawn with, in the Indonesian number locale)
and compares it with the table's text."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import pytest
from django.utils import translation

from tumbuh.core.numbers import format_number
from tumbuh.dashboards.charts import ranked_bars, trend_lines
from tumbuh.measurements.charts import ID_NUMBER_LOCALE

#: Ties and near-ties where rounding the binary float and rounding the decimal disagree.
FIGURES = [20.15, 31.25, 6.25, 0.05, 12.349, 99.95]


def d3_texts(values: list[float], fmt: str) -> list[str]:
    """``values`` as Vega writes them with ``fmt`` in the Indonesian number locale."""
    import vl_convert as vlc

    spec = {
        "data": {"values": [{"i": i, "v": v} for i, v in enumerate(values)]},
        "mark": "text",
        "encoding": {
            "y": {"field": "i", "type": "ordinal", "axis": None, "sort": None},
            "text": {"field": "v", "type": "quantitative", "format": fmt},
        },
    }
    svg = vlc.vegalite_to_svg(json.dumps(spec), format_locale=ID_NUMBER_LOCALE)
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def tooltip_fields(layer: dict) -> dict[str, str]:
    return {t["field"]: t["format"] for t in layer.get("encoding", {}).get("tooltip", []) if "format" in t}


def test_d3_rounds_the_binary_float():
    # 20.15 is the binary 20.1499…: "20,1" where the table says 20,2 (31.25 is exact: a tie, rounded up)
    assert d3_texts([20.15, 31.25], ".1f") == ["20,1", "31,3"]


def test_the_ranked_bars_tooltip_shows_the_tables_digits():
    rows = [
        SimpleNamespace(name=f"Desa {i}", r=v, ll=max(v - 3, 0), ul=v + 3, eb_r=v, n_measured=100 + i)
        for i, v in enumerate(FIGURES)
    ]
    with translation.override("id"):
        spec = ranked_bars(rows, "Prevalensi")
        table = [format_number(r.r, 1) for r in rows]
    [bars] = [layer for layer in spec["layer"] if tooltip_fields(layer)]
    assert tooltip_fields(bars) == {"r": ".1f"}
    assert d3_texts([d["r"] for d in spec["data"]["values"]], ".1f") == table


def test_the_trend_tooltip_shows_the_tables_digits():
    points = [
        (
            SimpleNamespace(start=dt.date(2020 + i, 2, 1), label=f"Februari {2020 + i}"),
            SimpleNamespace(r=v, ll=max(v - 3, 0), ul=v + 3),
        )
        for i, v in enumerate(FIGURES)
    ]
    with translation.override("id"):
        spec = trend_lines(points, "Tren")
        table = [format_number(row.r, 1) for _p, row in points]
    [line] = [layer for layer in spec["layer"] if tooltip_fields(layer)]
    assert tooltip_fields(line) == {"r": ".1f"}
    assert d3_texts([d["r"] for d in line["data"]["values"]], ".1f") == table


@pytest.mark.parametrize("value", FIGURES)
def test_a_figure_moves_a_mark_by_less_than_half_its_last_decimal(value):
    from tumbuh.dashboards.charts import shown

    assert abs(shown(value) - value) <= 0.05 + 1e-9
