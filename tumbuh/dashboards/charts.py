"""Dashboard charts as Vega-Lite specs, rendered to SVG on the server (``vl_convert``, as
``tumbuh.measurements.charts`` does): no JavaScript in the browser, and the same spec can go
into the PDF handout."""

from __future__ import annotations

import json

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tumbuh.core.numbers import PERCENT_PLACES, round_figure
from tumbuh.measurements.charts import render_svg

RAW = "#1d6b4f"
EB = "#9a3412"
SURVEY = "#1e3a8a"
TARGET = "#6b7280"
MONTHS_ID_SHORT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def shown(x, places: int = PERCENT_PLACES) -> float | None:
    """A figure a chart labels or shows in a tooltip, rounded by the one rule first: Vega's
    ``format: ".1f"`` (d3-format) rounds the binary float, so 20.15 (20.1499…) would read
    "20,1" in the chart and "20,2" in the table next to it. The rounded value formats to the
    table's digits; a bar or point moves by less than half a unit of the last decimal."""
    q = round_figure(x, places)
    return None if q is None else float(q)


def ranked_bars(rows, title: str, width: int = 560) -> dict:
    """Horizontal bars of the raw prevalence with its 95 % CI, and the small-area estimate as a
    dot, one line per area, in the table's order."""
    data = [
        {"area": r.name, "r": shown(r.r), "ll": r.ll, "ul": r.ul, "eb": r.eb_r, "n": r.n_measured}
        for r in rows
        if r.r is not None
    ]
    order = [d["area"] for d in data]
    y = {"field": "area", "type": "nominal", "sort": order, "title": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": width,
        "height": {"step": 16},
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "bar", "color": RAW, "opacity": 0.75},
                "encoding": {
                    "y": y,
                    "x": {"field": "r", "type": "quantitative", "title": _("Prevalence (%)")},
                    "tooltip": [{"field": "area"}, {"field": "r", "format": ".1f"}, {"field": "n"}],
                },
            },
            {
                "mark": {"type": "rule", "color": "#111827"},
                "encoding": {"y": y, "x": {"field": "ll", "type": "quantitative"}, "x2": {"field": "ul"}},
            },
            {
                "mark": {"type": "point", "filled": True, "color": EB, "size": 40},
                "encoding": {"y": y, "x": {"field": "eb", "type": "quantitative"}},
            },
        ],
        "config": {"view": {"stroke": None}, "axis": {"labelLimit": 180}},
    }


def trend_lines(points, title: str, surveys=(), targets=(), width: int = 560, height: int = 220) -> dict:
    """Prevalence over periods with its CI band (routine data), survey figures as squares and
    targets as triangles, on a time axis (the middle of each period)."""
    routine = [
        {"t": p.start.isoformat(), "label": p.label, "r": shown(row.r), "ll": row.ll, "ul": row.ul}
        for p, row in points
        if row is not None and row.r is not None
    ]
    svy = [{"t": f"{s.year}-07-01", "r": float(s.prevalence), "label": f"{s.survey} {s.year}"} for s in surveys]
    tgt = [
        {"t": f"{t.year}-12-31", "r": float(t.target), "label": _("Target %(year)s") % {"year": t.year}}
        for t in targets
    ]
    axis = {"format": "%b %Y"}
    if (get_language() or "").startswith(
        "id"
    ):  # Vega's month names are English: Indonesian ones for the id UI and the PDF
        axis["labelExpr"] = f"{json.dumps(MONTHS_ID_SHORT)}[month(datum.value)] + ' ' + year(datum.value)"
    x = {"field": "t", "type": "temporal", "title": None, "axis": axis}
    y = {"type": "quantitative", "title": _("Prevalence (%)"), "scale": {"zero": True}}
    layers = [
        {
            "data": {"values": routine},
            "mark": {"type": "area", "color": RAW, "opacity": 0.15},
            "encoding": {"x": x, "y": {"field": "ll", **y}, "y2": {"field": "ul"}},
        },
        {
            "data": {"values": routine},
            "mark": {"type": "line", "color": RAW, "point": True},
            "encoding": {
                "x": x,
                "y": {"field": "r", **y},
                "tooltip": [{"field": "label"}, {"field": "r", "format": ".1f"}],
            },
        },
    ]
    if svy:
        layers.append(
            {
                "data": {"values": svy},
                "mark": {"type": "point", "shape": "square", "filled": True, "color": SURVEY, "size": 70},
                "encoding": {"x": x, "y": {"field": "r", **y}, "tooltip": [{"field": "label"}, {"field": "r"}]},
            }
        )
    if tgt:
        layers.append(
            {
                "data": {"values": tgt},
                "mark": {"type": "point", "shape": "triangle-down", "filled": True, "color": TARGET, "size": 70},
                "encoding": {"x": x, "y": {"field": "r", **y}, "tooltip": [{"field": "label"}, {"field": "r"}]},
            }
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": width,
        "height": height,
        "layer": layers,
        "config": {"view": {"stroke": None}},
    }


def svg(spec: dict) -> str:
    if not any(layer.get("data", spec.get("data", {})).get("values") for layer in spec.get("layer", [spec])):
        return ""
    return render_svg(spec)
