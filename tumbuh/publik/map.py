"""The public map of a published round: its desa coloured by the published stunting prevalence,
and its posyandu as points, from the round's snapshot only (never from live data), with the
public page's suppression (:func:`tumbuh.publik.data.public_table`: one decision for the table,
the CSV and the map).

The shapes are the district's desa boundary file (``maps.Boundary``), read as the maps app
keeps it; the figures, colours and wording are the public table's. A figure the table hides is
not in the map's JSON at all: no children measured, no cases, no prevalence, only the table's
words for why. The map is drawn by the maps app's script (``maps/map.js``) on the locally
served Leaflet; without JavaScript the page is its tables."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tumbuh.maps import classes as colour
from tumbuh.maps.models import Boundary, MapLevel

from .data import MAP_INDICATOR, PublicTable
from .suppression import Cell


def desa_boundary(kabupaten_code: str) -> Boundary | None:
    return Boundary.objects.filter(kabupaten_id=kabupaten_code, level=MapLevel.DESA).first()


def _figures(cell: Cell, hidden_text: str) -> dict:
    """A cell as the map may show it: its figures, or none at all when the table hides them."""
    if cell.hidden:
        return {
            "n": None,
            "cases": None,
            "value": None,
            "ll": None,
            "ul": None,
            "value_text": "",
            "ll_text": "",
            "ul_text": "",
            "color": colour.NO_DATA,
            "class": None,
            "suppressed": cell.suppressed,
            "suppressed_text": hidden_text,
        }
    value = cell.r if cell.n else None
    ll, ul = (cell.ll, cell.ul) if cell.n else (None, None)
    klass = colour.class_of(MAP_INDICATOR, value)
    return {
        "n": cell.n,
        "cases": cell.cases,
        **colour.figure_json(value, ll, ul),
        "color": klass.colour if klass else colour.NO_DATA,
        "class": klass.index if klass else None,
        "suppressed": "",
        "suppressed_text": "",
    }


def map_json(table: PublicTable, boundary: Boundary | None, hidden_text) -> dict:
    """What ``maps/map.js`` draws: the desa of the snapshot with their figures and, when the
    district has desa boundaries, their shapes; the posyandu points of the snapshot.
    ``hidden_text(cell)`` gives the table's words for a hidden cell."""
    desa = {d.code: d for d in table.desa()}
    areas = {
        code: {
            "name": d.name,
            "parent": d.parent_code,
            **_figures(d.cells[MAP_INDICATOR], hidden_text(d.cells[MAP_INDICATOR])),
        }
        for code, d in desa.items()
    }
    features = None
    if boundary is not None:
        features = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": f["properties"]["code"], "name": f["properties"]["name"]},
                    "geometry": f["geometry"],
                }
                for f in boundary.collection()["features"]
                if f["properties"]["code"] in desa
            ],
        }
    points = []
    for i, p in enumerate(table.posyandu or [], start=1):
        d = desa.get(p.desa_code)
        points.append(
            {
                "id": i,
                "name": p.name,
                "desa": d.name if d else "",
                "lat": p.lat,
                "lon": p.lon,
                **_figures(p.cell, hidden_text(p.cell)),
            }
        )
    return {
        "indicator": MAP_INDICATOR,
        "indicator_label": _("Stunting (height-for-age < −2 SD)"),
        "period": table.period.key,
        "period_label": table.period.label,
        "classes": [
            {"lower": c.lower, "upper": c.upper, "color": c.colour, "label": c.label}
            for c in colour.classes(MAP_INDICATOR)
        ],
        "no_data_color": colour.NO_DATA,
        "labels": {"n": _("children measured"), "no_data": _("no data"), "cases": _("cases")},
        "areas": areas,
        "boundaries": features,
        "points": points,
        "point_labels": {"layer": _("Posyandu"), "desa": _("Desa"), "no_figure": _("no child measured in this round")},
    }


def map_context(table: PublicTable, boundary: Boundary | None) -> dict:
    """What the round page says about its map (whether there is one, and what it leaves out)."""
    points = table.posyandu or []
    return {
        "drawable": boundary is not None or bool(points),
        "has_areas": boundary is not None,
        "synthetic": bool(boundary and boundary.synthetic),
        "points": len(points),
        "without_posyandu": table.posyandu is None,
        "posyandu_unlocated": table.posyandu_unlocated,
        "classes": colour.classes(MAP_INDICATOR),
        "no_data_colour": colour.NO_DATA,
    }
