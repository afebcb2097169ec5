"""The gap heatmap: desa × indicator, coloured by the gap to target (Vega-Lite, rendered to SVG
on the server like ``dashboards.charts``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tumbuh.dashboards.charts import shown, svg

from .situation import Situation, reported_indicators


def gap_heatmap(situation: Situation) -> dict:
    indicators = reported_indicators(situation)
    data = []
    for r in situation.rows:
        for i in indicators:
            cell = r.coverage[i.code]
            if cell.value is None:
                continue
            data.append(
                {
                    "desa": f"{r.desa.name} ({r.kecamatan})",
                    "indikator": i.short_name,
                    "gap": shown(cell.gap),
                    "cakupan": shown(cell.value),  # the tooltip's ".1f" shows the table's digits
                    "target": float(cell.target) if cell.target is not None else None,
                }
            )
    desa_order = list(dict.fromkeys(d["desa"] for d in data))
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {
            "text": _("Gap to target (percentage points), %(year)d") % {"year": situation.data_year},
            "anchor": "start",
            "fontSize": 13,
        },
        "data": {"values": data},
        "width": {"step": 34},
        "height": {"step": 14},
        "mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 0.5},
        "encoding": {
            "x": {
                "field": "indikator",
                "type": "nominal",
                "title": None,
                "sort": [i.short_name for i in indicators],
                "axis": {"labelAngle": -40, "labelLimit": 160},
            },
            "y": {"field": "desa", "type": "nominal", "title": None, "sort": desa_order, "axis": {"labelLimit": 200}},
            "color": {
                "field": "gap",
                "type": "quantitative",
                "title": _("Gap (pp)"),
                "scale": {"scheme": "orangered", "domainMin": 0},
            },
            "tooltip": [
                {"field": "desa"},
                {"field": "indikator"},
                {"field": "cakupan", "format": ".1f"},
                {"field": "target"},
                {"field": "gap", "format": ".1f"},
            ],
        },
        "config": {"view": {"stroke": None}},
    }


def gap_heatmap_svg(situation: Situation) -> str:
    return svg(gap_heatmap(situation))
