"""The province's districts on the map, through the maps app: its colour classes, its
``Area``, its Vega choropleth and tile grid.

Tumbuh keeps boundary files per district and level (kecamatan, desa), none for the districts
themselves: a district whose kecamatan boundaries are stored is drawn as their union; the
others are listed beside the map, and the tile grid shows every district."""

from __future__ import annotations

from tumbuh.maps import charts as map_charts
from tumbuh.maps import classes as colour
from tumbuh.maps.data import Area
from tumbuh.maps.models import Boundary, MapLevel


def areas(rows, indicator: str, estimate: str = "raw") -> list[Area]:
    """One maps ``Area`` per district row (no value without data: grey, "no data")."""
    out = []
    for r in rows:
        f = r.figure if r.has_data else None
        if f is None:
            value = ll = ul = None
        elif estimate == "eb":
            value, ll, ul = f.eb_r, f.eb_ll, f.eb_ul
        else:
            value, ll, ul = f.r, f.ll, f.ul
        out.append(
            Area(
                r.code,
                r.name,
                r.kabupaten.provinsi_code,
                f.n_measured if f else 0,
                f.cases if f else 0,
                value,
                ll,
                ul,
                colour.class_of(indicator, value),
            )
        )
    return out


def district_shapes(codes: list[str]) -> tuple[dict[str, dict], bool]:
    """code → the district's outline (GeoJSON geometry), for the districts whose kecamatan
    boundaries are stored; and whether one of them is the demo's synthetic file."""
    found, synthetic = {}, False
    for b in Boundary.objects.filter(kabupaten_id__in=codes, level=MapLevel.KECAMATAN):
        geometry = _union(b)
        if geometry is not None:
            found[b.kabupaten_id] = geometry
            synthetic = synthetic or b.synthetic
    return found, synthetic


#: file name → the union of its areas (a stored file never changes: it is named by its content)
_UNIONS: dict[str, dict | None] = {}


def _union(boundary: Boundary) -> dict | None:
    if boundary.file_name not in _UNIONS:
        import shapely
        from shapely.geometry import mapping, shape

        geoms = [shape(f["geometry"]) for f in boundary.collection()["features"]]
        _UNIONS[boundary.file_name] = mapping(shapely.union_all(geoms)) if geoms else None
    return _UNIONS[boundary.file_name]


def choropleth_svg(shapes: dict[str, dict], areas: list[Area], title: str) -> str:
    features = [{"type": "Feature", "geometry": g, "properties": {"code": code}} for code, g in shapes.items()]
    return map_charts.svg(map_charts.choropleth(features, areas, title, width=640, height=520))


def tile_svg(areas: list[Area], title: str) -> str:
    return map_charts.svg(map_charts.tile_grid(areas, title))
