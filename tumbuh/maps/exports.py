"""The map's exports, same query string as the page (``/peta/xlsx/``, ``/peta/pdf/``):

- Excel: one row per area of the level shown, with the indicator's value (raw or small-area
  estimate, as on the map), its 95 % interval, children measured, cases and colour class;
  the header of every dashboard workbook (``tumbuh.dashboards.xlsx``).
- PDF: the dashboards' A4 handout in Bahasa Indonesia (``tumbuh.dashboards.pdf``): header with
  kabupaten, area, period, data source and generation time; the choropleth as a Vega-Lite
  ``geoshape`` rendered to SVG by ``vl_convert`` (or, without boundaries, the tile grid, one
  chart per kecamatan for desa), the legend, and the table of values."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.dashboards import xlsx
from tumbuh.dashboards.pdf import in_indonesian, render_handout, svg_img
from tumbuh.wilayah.models import Level, Wilayah

from . import charts
from . import classes as colour
from .models import Boundary
from .views import MapQuery, _areas, _grid_groups, _points, _query


def _estimate_label(q: MapQuery) -> str:
    return _("Small-area estimate (shrunk)") if q.estimate == "eb" else _("Raw prevalence")


def _level_label(q: MapQuery) -> str:
    return _("Kecamatan") if q.level == Level.KECAMATAN else _("Desa / kelurahan")


def _parent_names(areas) -> dict:
    return dict(Wilayah.objects.filter(code__in={a.parent_code for a in areas}).values_list("code", "name"))


def _class_label(a) -> str:
    return a.colour_class.label if a.colour_class else _("no data")


@login_required
def map_xlsx(request):
    """The values the map colours, one row per area."""
    q = _query(request)
    areas = _areas(request.user, q)
    parents = _parent_names(areas)
    kab = Wilayah.objects.filter(code=q.kabupaten_code).values_list("name", flat=True).first() or "—"
    meta = [
        (_("Regency / city"), kab),
        (_("Area"), q.within.label),
        (_("Period"), q.period.label),
        (_("Indicator"), str(q.indicator_label)),
        (_("Areas"), str(_level_label(q))),
        (_("Estimate"), str(_estimate_label(q))),
        (_("Data source"), _("Tumbuh: posyandu measurements (e-PPGBM import and posyandu entry), WHO 2006 z-scores")),
    ]
    columns = [
        (_("Code"), "text"),
        (_("Area"), "text"),
        (_("Part of"), "text"),
        (_("Children measured"), "int"),
        (_("Cases"), "int"),
        (_("Value (%)"), "pct"),
        (_("95% lower"), "pct"),
        (_("95% upper"), "pct"),
        (_("Colour class"), "text"),
    ]
    rows = [
        (a.code, a.name, parents.get(a.parent_code, a.parent_code), a.n, a.cases, a.value, a.ll, a.ul, _class_label(a))
        for a in areas
    ]
    notes = [
        _("Children measured: children with a valid z-score for the indicator in the period (each child once)."),
        _("Colour classes are fixed per indicator (WHO/UNICEF prevalence thresholds), the same on every map."),
    ]
    if q.estimate == "eb":
        notes.append(
            _(
                "Small-area estimate: empirical-Bayes beta-binomial, shrunk towards the kecamatan (desa) or the district (kecamatan)."
            )
        )
    located = _points(request.user, q)
    sheets = []
    if located:
        point_columns = [
            (_("Posyandu"), "text"),
            (_("Code"), "text"),
            (_("Desa"), "text"),
            (_("Kecamatan"), "text"),
            (_("Latitude"), "coord"),
            (_("Longitude"), "coord"),
            (_("Children measured"), "int"),
            (_("Cases"), "int"),
            (_("Value (%)"), "pct"),
            (_("95% lower"), "pct"),
            (_("95% upper"), "pct"),
            (_("Colour class"), "text"),
        ]
        point_rows = [
            (
                p.name,
                p.code,
                p.desa_name,
                p.kecamatan_name,
                p.lat,
                p.lon,
                p.n,
                p.cases,
                p.value,
                p.ll,
                p.ul,
                p.colour_class.label if p.colour_class else _("no data"),
            )
            for p in located
        ]
        sheets.append((str(_("Posyandu")), point_columns, point_rows))
    content = xlsx.workbook(str(_("Map")), meta, columns, rows, notes=notes, sheets=sheets, now=timezone.now())
    return xlsx.response(content, f"peta-{q.indicator}-{q.level_slug}-{q.period.key}.xlsx")


def _charts(request, q: MapQuery, areas, located=()) -> tuple[list[tuple[str, str]], bool]:
    """[(title, image data URI)] and whether they are drawn from boundaries (with the located
    posyandu as points on them)."""
    title = f"{q.indicator_label}: {_level_label(q)}, {q.period.label}"
    boundary = Boundary.objects.filter(kabupaten_id=q.kabupaten_code, level=q.level).first()
    if boundary is not None:
        visible = {a.code for a in areas}
        features = [f for f in boundary.collection()["features"] if f["properties"]["code"] in visible]
        if features:
            spec = charts.choropleth(features, areas, title, labels=q.level == Level.KECAMATAN, posyandu=located)
            return [(title, svg_img(charts.svg(spec)))], True
    if located:  # no boundaries, but posyandu to place
        spec = charts.choropleth([], areas, title, labels=False, posyandu=located)
        out = [(title, svg_img(charts.svg(spec)))]
    else:
        out = []
    groups = _grid_groups(request.user, q, areas, "name")
    for group_title, tiles in groups:
        out.append((group_title or title, svg_img(charts.svg(charts.tile_grid(tiles, group_title or title)))))
    return out, False


@in_indonesian
def map_pdf(request):
    """The map as a handout (always Indonesian)."""
    q = _query(request)
    areas = _areas(request.user, q)
    located = _points(request.user, q)
    images, from_boundaries = _charts(request, q, areas, located)
    parents = _parent_names(areas)
    ordered = sorted(areas, key=lambda a: (a.value is None, -(a.value or 0), a.name))
    for a in ordered:
        a.parent_name = parents.get(a.parent_code, "")
        a.class_label = _class_label(a)
        a.value_label = charts.value_label(a)
    ctx = {
        "title": _("Map"),
        "scope": q,
        "area_label": q.within.label,
        "q": q,
        "areas": ordered,
        "with_data": sum(1 for a in areas if a.value is not None),
        "images": images,
        "from_boundaries": from_boundaries,
        "classes": colour.classes(q.indicator),
        "no_data_colour": colour.NO_DATA,
        "level_label": _level_label(q),
        "estimate_label": _estimate_label(q),
        "points": located,
    }
    return render_handout(request, "maps/pdf/map.html", ctx, f"peta-{q.indicator}-{q.level_slug}-{q.period.key}.pdf")
