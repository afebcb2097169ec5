"""What happened to a matched child's growth: the HAZ (length/height-for-age z-score) of every
visit before and after the match started, drawn as a Vega-Lite chart rendered on the server
(like ``measurements/charts.py``).

Shown honestly: every scored visit, not a chosen pair; the counts before and after; no trend
line and no claim that the help caused a change (growth has many causes, and a child's HAZ
also moves with measurement error and age).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tumbuh.core.numbers import round_figure
from tumbuh.measurements.charts import render_svg
from tumbuh.measurements.models import Measurement

from .models import FosterMatch

BEFORE, AFTER = "before", "after"
COLOURS = {BEFORE: "#6b7280", AFTER: "#1e3a8a"}


@dataclass
class Outcome:
    points: list[dict]
    before: list[dict]
    after: list[dict]
    spec: dict

    @property
    def last_before(self) -> dict | None:
        return self.before[-1] if self.before else None

    @property
    def last_after(self) -> dict | None:
        return self.after[-1] if self.after else None

    def svg(self) -> str:
        return render_svg(self.spec)


def haz_points(match: FosterMatch) -> list[dict]:
    visits = (
        Measurement.objects.filter(child_id=match.child_id, zlen__isnull=False).order_by("date").values("date", "zlen")
    )
    return [
        {
            "date": v["date"].isoformat(),
            "z": float(round_figure(v["zlen"], 2)),
            "period": BEFORE if v["date"] < match.start_date else AFTER,
            "label": v["date"].strftime("%d/%m/%Y"),
        }
        for v in visits
    ]


def outcome(match: FosterMatch, width: int = 560, height: int = 260) -> Outcome | None:
    """The child's HAZ trajectory around the match start; None for a family match."""
    if not match.child_id:
        return None
    points = haz_points(match)
    before = [p for p in points if p["period"] == BEFORE]
    after = [p for p in points if p["period"] == AFTER]
    period_names = {BEFORE: _("before the match"), AFTER: _("since the match")}
    for p in points:
        p["period_name"] = period_names[p["period"]]
    title = _("Length/height-for-age z-score (HAZ) of %(name)s") % {"name": match.child.name}
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": f"{title}: {len(before)} / {len(after)}",
        "title": {"text": title, "anchor": "start", "fontSize": 14},
        "width": width,
        "height": height,
        "background": "white",
        "datasets": {
            "visits": points,
            "cutoffs": [{"z": -2, "name": "−2 SD"}, {"z": -3, "name": "−3 SD"}],
            "start": [{"date": match.start_date.isoformat(), "name": _("match starts")}],
        },
        "layer": [
            {
                "data": {"name": "cutoffs"},
                "mark": {"type": "rule", "color": "#dc2626", "strokeDash": [4, 3]},
                "encoding": {"y": {"field": "z", "type": "quantitative"}},
            },
            {
                "data": {"name": "start"},
                "mark": {"type": "rule", "color": "#15803d", "strokeWidth": 2},
                "encoding": {"x": {"field": "date", "type": "temporal"}},
            },
            {
                "data": {"name": "start"},
                "mark": {"type": "text", "align": "left", "dx": 4, "dy": -4, "baseline": "top", "color": "#15803d"},
                "encoding": {"x": {"field": "date", "type": "temporal"}, "y": {"value": 0}, "text": {"field": "name"}},
            },
            {
                "data": {"name": "visits"},
                "mark": {"type": "line", "color": "#9ca3af", "strokeWidth": 1},
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "title": _("Date"), "axis": {"format": "%m/%Y"}},
                    "y": {"field": "z", "type": "quantitative", "title": "HAZ (z)", "scale": {"zero": False}},
                },
            },
            {
                "data": {"name": "visits"},
                "mark": {"type": "point", "filled": True, "size": 55},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "y": {"field": "z", "type": "quantitative"},
                    "color": {
                        "field": "period_name",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": [period_names[BEFORE], period_names[AFTER]],
                            "range": [COLOURS[BEFORE], COLOURS[AFTER]],
                        },
                    },
                    "tooltip": [{"field": "label", "title": _("Date")}, {"field": "z", "title": "HAZ"}],
                },
            },
        ],
    }
    return Outcome(points, before, after, spec)
