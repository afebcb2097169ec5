"""The choropleth (Leaflet, served locally, no tile server), its tile-grid fallback, the JSON
the map draws from, and the boundary files the district admin uploads."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role
from tumbuh.audit.actions import do_delete
from tumbuh.core.focus import PICK_A_DISTRICT, get_focus, kabupaten_of
from tumbuh.dashboards.aggregates import INDICATORS, freshness, period_choices
from tumbuh.dashboards.default_period import default_round
from tumbuh.dashboards.periods import Period
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah, level_of

from . import classes as colour
from . import data, geojson, points, shapefiles, store
from .data import INDICATOR_CHOICES
from .forms import BoundaryUploadForm
from .models import Boundary

LEVEL_SLUGS = {"kecamatan": Level.KECAMATAN, "desa": Level.DESA}


@dataclass
class MapQuery:
    within: Wilayah
    kabupaten_code: str
    level: int
    indicator: str
    period: Period
    estimate: str
    periods: list[tuple[str, list[Period]]]  # (group label, periods) for the select

    @property
    def level_slug(self) -> str:
        return data.LEVELS[self.level]

    @property
    def indicator_label(self) -> str:
        return dict(INDICATOR_CHOICES)[self.indicator]

    def params(self, **override) -> str:
        values = {
            "within": self.within.code,
            "level": self.level_slug,
            "indicator": self.indicator,
            "period": self.period.key,
            "estimate": self.estimate,
            **override,
        }
        return urlencode(values)


def _query(request) -> MapQuery:
    """Read and check the map's parameters; 404 for a region outside the user's node."""
    user = request.user
    code = request.GET.get("within") or (get_focus(request).code if get_focus(request) else None) or user.wilayah_id
    if code and level_of(code) < Level.KABUPATEN and user.role == Role.PROVINCE and policy.node_contains(user, code):
        raise PermissionDenied(PICK_A_DISTRICT)  # a province's map is its districts': pick one
    if not code or level_of(code) < Level.KABUPATEN or not policy.node_reaches(user, code):
        raise Http404
    within = Wilayah.objects.filter(code=code).first()
    if within is None:
        raise Http404
    kabupaten_code = code if within.level == Level.KABUPATEN else within.kabupaten_code
    default_level = "kecamatan" if within.level == Level.KABUPATEN else "desa"
    level = LEVEL_SLUGS.get(request.GET.get("level", default_level), LEVEL_SLUGS[default_level])
    indicator = request.GET.get("indicator", "stunting")
    if indicator not in INDICATORS:
        indicator = "stunting"
    # Any period the dashboards offer: a February/August round, a month or a year.
    periods = period_choices(user=user)
    try:
        period = Period.parse(request.GET["period"])
    except (KeyError, ValueError):
        from django.utils import timezone

        period = default_round(user, today=timezone.localdate())
    if not any(period in group for _label, group in periods):  # e.g. a round before the first measurement
        periods = [
            (label, sorted({*group, period}, reverse=True))
            if group and group[0].kind == period.kind
            else (label, group)
            for label, group in periods
        ]
    estimate = request.GET.get("estimate", "raw")
    if estimate not in data.ESTIMATES:
        estimate = "raw"
    return MapQuery(within, kabupaten_code, int(level), indicator, period, estimate, periods)


def _areas(user, q: MapQuery) -> list[data.Area]:
    """Every area of the level the user may see inside ``within``, with its figures (an area
    without measurements is kept, without a value, so the grid has one tile per area)."""
    figures = {
        a.code: a
        for a in data.areas(
            user=user,
            within_code=q.within.code,
            level=q.level,
            period=q.period,
            indicator=q.indicator,
            estimate=q.estimate,
        )
    }
    regions = policy.visible(user, Wilayah.objects.filter(Wilayah.subtree_q(q.within.code), level=q.level))
    out = []
    for w in regions.order_by("code"):
        out.append(figures.get(w.code) or data.Area(w.code, w.name, w.parent_id or "", 0, 0, None, None, None, None))
    return out


def _grid_groups(user, q: MapQuery, areas: list[data.Area], order: str) -> list[tuple[str, list[data.Area]]]:
    key = (lambda a: a.name.lower()) if order == "name" else (lambda a: a.code)
    if q.level == Level.KECAMATAN:
        return [("", sorted(areas, key=key))]
    names = dict(Wilayah.objects.filter(code__in={a.parent_code for a in areas}).values_list("code", "name"))
    groups: dict[str, list[data.Area]] = {}
    for a in areas:
        groups.setdefault(a.parent_code, []).append(a)
    parents = sorted(groups, key=(lambda c: names.get(c, c).lower()) if order == "name" else (lambda c: c))
    return [(f"Kecamatan {names.get(c, c)}", sorted(groups[c], key=key)) for c in parents]


def _can_import_posyandu(user) -> bool:
    from tumbuh.imports.views import can_import

    return can_import(user, "posyandu")


def _points(user, q: MapQuery) -> list[points.Point]:
    return points.points(
        user=user, within_code=q.within.code, period=q.period, indicator=q.indicator, estimate=q.estimate
    )


@login_required
def map_page(request):
    q = _query(request)
    areas = _areas(request.user, q)
    boundary = Boundary.objects.filter(kabupaten_id=q.kabupaten_code, level=q.level).first()
    located = _points(request.user, q)
    drawable = boundary is not None or bool(located)
    view = request.GET.get("view") or ("map" if boundary else "grid")
    view = view if drawable and view in ("map", "grid") else "grid"
    order = "name" if request.GET.get("order") == "name" else "code"
    return render(
        request,
        "maps/map.html",
        {
            "q": q,
            "areas": areas,
            "with_data": sum(1 for a in areas if a.value is not None),
            "groups": _grid_groups(request.user, q, areas, order) if view == "grid" else [],
            "boundary": boundary,
            "drawable": drawable,
            "points": located,
            "points_with_data": sum(1 for p in located if p.value is not None),
            "points_missing": points.without_location(request.user, q.within.code),
            "can_locate": policy.can(request.user, policy.CHANGE, Posyandu),
            "can_import_posyandu": _can_import_posyandu(request.user),
            "view": view,
            "order": order,
            "classes": colour.classes(q.indicator),
            "no_data_colour": colour.NO_DATA,
            "indicators": INDICATOR_CHOICES,
            "data_url": f"{reverse('maps:data')}?{q.params()}",
            "can_upload": policy.can(request.user, policy.ADD, Boundary),
            "fresh": freshness(user=request.user, period=q.period),  # the figures are the dashboards' precomputed ones
        },
    )


@login_required
def map_data(request):
    """The areas' values and, when the district has them, their boundaries, for Leaflet."""
    q = _query(request)
    areas = _areas(request.user, q)
    boundary = Boundary.objects.filter(kabupaten_id=q.kabupaten_code, level=q.level).first()
    features = None
    if boundary is not None:
        visible = {a.code for a in areas}
        collection = boundary.collection()
        features = {
            "type": "FeatureCollection",
            "features": [f for f in collection["features"] if f["properties"]["code"] in visible],
        }
    return JsonResponse(
        {
            "within": q.within.code,
            "level": q.level_slug,
            "indicator": q.indicator,
            "indicator_label": str(q.indicator_label),
            "period": q.period.key,
            "period_label": q.period.label,
            "estimate": q.estimate,
            "classes": [
                {"lower": c.lower, "upper": c.upper, "color": c.colour, "label": c.label}
                for c in colour.classes(q.indicator)
            ],
            "no_data_color": colour.NO_DATA,
            "labels": {"n": _("children measured"), "no_data": _("no data"), "cases": _("cases")},
            "areas": {a.code: a.as_json() for a in areas},
            "boundaries": features,
            "points": [p.as_json() for p in _points(request.user, q)],
            "point_labels": {
                "layer": _("Posyandu"),
                "desa": _("Desa"),
                "no_figure": _("no child measured in this period"),
            },
        }
    )


# ---------------------------------------------------------------- boundary files


def check_upload(
    data: bytes, kabupaten_code: str, level: int | None, *, repair: bool, tolerance: float
) -> geojson.Report:
    """A zipped shapefile (told by its content, whatever its name) or GeoJSON, checked alike."""
    if shapefiles.looks_like_zip(data[:4]):
        return shapefiles.check_zip(data, kabupaten_code, level, repair=repair, tolerance=tolerance)
    return geojson.check(data, kabupaten_code, level, repair=repair, tolerance=tolerance)


@login_required
def boundaries(request):
    policy.require(request.user, policy.ADD, Boundary)
    kabupaten = kabupaten_of(request)
    report = None
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = check_upload(
                upload.read(),
                kabupaten.code,
                form.cleaned_data["level"],
                repair=form.cleaned_data["repair"],
                tolerance=form.cleaned_data["tolerance"],
            )
        except geojson.BoundaryFileError as exc:
            form.add_error("file", exc.text())
        else:
            if report.can_save:
                boundary = Boundary.objects.filter(kabupaten=kabupaten, level=report.level).first() or Boundary(
                    kabupaten=kabupaten, level=report.level
                )
                policy.require(request.user, policy.CHANGE if boundary.pk else policy.ADD, boundary)
                store.save_report(
                    request.user,
                    boundary,
                    report,
                    source_name=upload.name,
                    tolerance=form.cleaned_data["tolerance"],
                    reason=form.cleaned_data["reason"],
                    uploaded_by=request.user,
                )
                messages.success(request, _("Boundaries saved: %(n)d areas.") % {"n": report.features_kept})
            else:
                messages.error(request, _("Nothing was saved: fix the problems below, or tick the repair option."))
    existing = list(
        policy.visible(request.user, Boundary.objects.filter(kabupaten=kabupaten)).select_related("uploaded_by")
    )
    names = dict.fromkeys(p for props in geojson.NAME_PROPERTIES.values() for p in props)
    return render(
        request,
        "maps/boundaries.html",
        {
            "kabupaten": kabupaten,
            "form": form,
            "report": report,
            "existing": existing,
            "report_level": Level(report.level).label if report else "",
            "matched": {"code": 0, "bps": 0, "name": 0, **(report.matched_by if report else {})},
            "property_names": ", ".join(
                p.upper() for p in dict.fromkeys((*geojson.CODE_PROPERTIES, *geojson.BPS_PROPERTIES))
            ),
            "name_properties": ", ".join(p.upper() for p in names),
        },
    )


@login_required
@require_POST
def boundary_delete(request, pk):
    boundary = policy.get_object_or_404(request.user, Boundary, pk=pk)
    policy.require(request.user, policy.DELETE, boundary)
    do_delete(request.user, boundary, reason=request.POST.get("reason", ""))
    messages.success(request, _("Boundary file removed; the map shows the tile grid until a new file is uploaded."))
    return redirect("maps:boundaries")
