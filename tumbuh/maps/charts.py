"""The map as Vega-Lite for the PDF handout: a choropleth (``geoshape`` over the uploaded,
simplified boundaries) or, without boundaries, the tile grid; rendered to SVG by
``vl_convert`` like every dashboard chart (``tumbuh.measurements.charts.render_svg``).

Colours are the page's fixed classes (``classes.py``), passed as literal colours
(``"scale": null``), so a colour means the same on the screen, in the tile grid and on paper;
the legend is drawn beside the chart, in the handout's HTML."""

from __future__ import annotations

from tumbuh.core.numbers import PERCENT_PLACES, format_number
from tumbuh.measurements.charts import render_svg

from .data import Area

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
INK, INK_DARK = "#111827", "#ffffff"
#: Tiles per row in the tile grid, and a tile's size in pixels.
GRID_COLUMNS = 6
TILE_W, TILE_H = 96, 52


def value_label(a: Area) -> str:
    """'12,3 %' in the active language's number format, '–' without data."""
    return "–" if a.value is None else f"{format_number(a.value, PERCENT_PLACES)} %"


def _title(text: str) -> dict:
    return {"text": text, "anchor": "start", "fontSize": 13}


def d3_winding(geometry: dict) -> dict:
    """The geometry with clockwise exterior rings, as d3-geo (Vega's projection) reads them:
    GeoJSON files (RFC 7946) wind them counter-clockwise, and d3 would fill the rest of the
    globe instead of the area."""
    import shapely.geometry
    from shapely.geometry.polygon import orient

    shape = shapely.geometry.shape(geometry)
    parts = list(shape.geoms) if hasattr(shape, "geoms") else [shape]
    parts = [orient(p, sign=-1.0) for p in parts if p.geom_type == "Polygon"]
    if not parts:
        return geometry
    out = parts[0] if len(parts) == 1 else shapely.geometry.MultiPolygon(parts)
    return shapely.geometry.mapping(out)


def choropleth(
    features: list[dict],
    areas: list[Area],
    title: str,
    labels: bool = True,
    width: int = 520,
    height: int = 700,
    posyandu=(),
) -> dict:
    """One ``geoshape`` per boundary feature, filled with its area's class colour (grey: no
    data), with the name and value written at the area's centre when ``labels``; the located
    posyandu (``posyandu``, :class:`tumbuh.maps.points.Point`) as circles in their own class
    colour on top."""
    import shapely.geometry

    by_code = {a.code: a for a in areas}
    shapes, points = [], []
    for f in features:
        code = f["properties"]["code"]
        a = by_code.get(code)
        if a is None:  # outside what the user may see, or of another level
            continue
        shapes.append(
            {
                "type": "Feature",
                "geometry": d3_winding(f["geometry"]),
                "properties": {"code": code, "name": a.name, "fill": a.colour, "value": value_label(a), "n": a.n},
            }
        )
        if labels:
            p = shapely.geometry.shape(f["geometry"]).representative_point()
            points.append(
                {"lon": p.x, "lat": p.y, "lines": [a.name, value_label(a)], "ink": INK_DARK if a.dark else INK}
            )
    layers = [
        {
            "data": {"values": shapes},
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.7},
            "encoding": {
                "color": {"field": "properties.fill", "type": "nominal", "scale": None},
                "tooltip": [{"field": "properties.name"}, {"field": "properties.value"}, {"field": "properties.n"}],
            },
        }
    ]
    if points:
        layers.append(
            {
                "data": {"values": points},
                "mark": {"type": "text", "fontSize": 8, "lineHeight": 10, "baseline": "middle"},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "text": {"field": "lines"},
                    "color": {"field": "ink", "type": "nominal", "scale": None},
                },
            }
        )
    if posyandu:
        layers.append(
            {
                "data": {
                    "values": [
                        {
                            "lon": p.lon,
                            "lat": p.lat,
                            "fill": p.colour,
                            "name": p.label,
                            "value": "–" if p.value is None else f"{format_number(p.value, PERCENT_PLACES)} %",
                            "n": p.n,
                        }
                        for p in posyandu
                    ]
                },
                "mark": {"type": "circle", "size": 46, "stroke": INK, "strokeWidth": 0.8, "opacity": 1},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "color": {"field": "fill", "type": "nominal", "scale": None},
                    "tooltip": [{"field": "name"}, {"field": "value"}, {"field": "n"}],
                },
            }
        )
    extent = [f["geometry"] for f in shapes] + [{"type": "Point", "coordinates": [p.lon, p.lat]} for p in posyandu]
    if extent:  # keep the sheet's proportions close to the district's (mercator, near the equator)
        import shapely.geometry

        x0, y0, x1, y1 = shapely.geometry.shape({"type": "GeometryCollection", "geometries": extent}).bounds
        if x1 > x0:
            height = int(min(max(width * (y1 - y0) / (x1 - x0), 220), height))
    return {
        "$schema": SCHEMA,
        "title": _title(title),
        "width": width,
        "height": height,
        "projection": {"type": "mercator"},
        "layer": layers,
        "config": {"view": {"stroke": None}},
    }


def tile_grid(areas: list[Area], title: str, columns: int = GRID_COLUMNS) -> dict:
    """One tile per area (in the order given), ``columns`` to a row: the class colour, the
    name, the value and n, as on the page's tile grid."""
    tiles = []
    for i, a in enumerate(areas):
        x, y = i % columns, i // columns
        name = a.name if len(a.name) <= 16 else a.name[:15] + "…"
        tiles.append(
            {
                "x": x,
                "x2": x + 0.96,
                "y": y,
                "y2": y + 0.92,
                "cx": x + 0.48,
                "fill": a.colour,
                "ink": INK_DARK if a.dark else INK,
                "name": name,
                "value": value_label(a),
                "n": f"n = {a.n}",
                "y_name": y + 0.24,
                "y_value": y + 0.52,
                "y_n": y + 0.78,
            }
        )
    rows = max(1, -(-len(areas) // columns))
    xs = {"type": "quantitative", "scale": {"domain": [0, columns]}, "axis": None}
    ys = {"type": "quantitative", "scale": {"domain": [0, rows], "reverse": True}, "axis": None}
    ink = {"field": "ink", "type": "nominal", "scale": None}

    def text(field, y_field, size, weight="normal"):
        return {
            "mark": {"type": "text", "fontSize": size, "fontWeight": weight, "baseline": "middle"},
            "encoding": {
                "x": {"field": "cx", **xs},
                "y": {"field": y_field, **ys},
                "text": {"field": field},
                "color": ink,
            },
        }

    return {
        "$schema": SCHEMA,
        "title": _title(title),
        "width": columns * TILE_W,
        "height": rows * TILE_H,
        "data": {"values": tiles},
        "layer": [
            {
                "mark": {"type": "rect", "stroke": "#9ca3af", "strokeWidth": 0.5},
                "encoding": {
                    "x": {"field": "x", **xs},
                    "x2": {"field": "x2"},
                    "y": {"field": "y", **ys},
                    "y2": {"field": "y2"},
                    "color": {"field": "fill", "type": "nominal", "scale": None},
                },
            },
            text("name", "y_name", 8, "bold"),
            text("value", "y_value", 10),
            text("n", "y_n", 7),
        ],
        "config": {"view": {"stroke": None}},
    }


def svg(spec: dict) -> str:
    return render_svg(spec)
