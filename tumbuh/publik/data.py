"""The figures of a public round: computed once when the admin publishes (a snapshot stored
on the :class:`~tumbuh.publik.models.PublishedRound`), suppressed each time they are shown.

Aggregates only — children measured, cases, prevalence and its interval per area — never a
child. The public page has no user to scope by: it covers the whole district, so it calls the
dashboards' live computation (:func:`tumbuh.dashboards.aggregates.compute_rows`) over every
measurement in the district, rather than ``indicator_table``, which scopes by user.

The snapshot keeps the figures as computed, unrounded (version 2; version 1 stored them rounded
to two decimals, which the page then rounded again): the page and the CSV round them once, by
:mod:`tumbuh.core.numbers`, as the dashboards do.

**Posyandu on the public map** (version 3): the posyandu that had a location when the round was
published, with that location, and their figures for the map's indicator
(:data:`MAP_INDICATOR`, stunting) under ``posyandu:<id>``. Their cells join the same suppression
as the areas, as the children of their desa's sum (kecamatan = Σ desa, desa = Σ posyandu), so one
decision covers the table, the CSV and the map: a posyandu point never gives away a desa the
table hides, nor the table a posyandu the map hides. A posyandu without a location is not on the
map and not in the snapshot (an unpublished figure is one more unknown in its desa's sum, so
leaving it out of the rule only hides more). Older snapshots have no posyandu (``posyandu`` is
missing): their map shows the desa only, and says why."""

from __future__ import annotations

from dataclasses import dataclass, field

from tumbuh.dashboards.aggregates import compute_rows
from tumbuh.dashboards.periods import Period

from .suppression import MIN_N, Cell, suppress

#: The indicators on the public page, in order.
INDICATORS = ("stunting", "wasting", "underweight")
LEVELS = ("kabupaten", "kecamatan", "desa")
SNAPSHOT_VERSION = 3
#: The indicator the public map colours its desa and posyandu by (the only one with posyandu
#: figures in the snapshot).
MAP_INDICATOR = "stunting"
POSYANDU_PREFIX = "posyandu:"


def compute_snapshot(kabupaten_code: str, period: Period) -> dict:
    """{"version", "period", "areas": [{code, name, level, parent}], "figures": {indicator:
    {code: [n, cases, r, ll, ul]}}, "posyandu": [{code, name, desa, lat, lon}],
    "posyandu_unlocated": int} for the district, its kecamatan and its desa, and its located
    posyandu (figures of :data:`MAP_INDICATOR` only, under ``posyandu:<id>``)."""
    from tumbuh.measurements.models import Measurement
    from tumbuh.organisation.models import Posyandu
    from tumbuh.wilayah.models import Level, Wilayah

    measurements = Measurement.objects.filter(desa__kabupaten_code=kabupaten_code)
    regions = list(
        Wilayah.objects.filter(kabupaten_code=kabupaten_code, level__in=(Level.KECAMATAN, Level.DESA)).order_by("code")
    )
    kabupaten = Wilayah.objects.get(code=kabupaten_code)
    areas = [{"code": kabupaten.code, "name": kabupaten.name, "level": "kabupaten", "parent": ""}]
    areas += [
        {
            "code": w.code,
            "name": w.name,
            "level": "kecamatan" if w.level == Level.KECAMATAN else "desa",
            "parent": w.parent_id or "",
        }
        for w in regions
    ]
    known = {a["code"] for a in areas}
    figures: dict[str, dict[str, list]] = {}
    for indicator in INDICATORS:
        per_code = {}
        for level in LEVELS:
            for row in compute_rows(measurements, period=period, level=level, indicator=indicator):
                if row.code in known:
                    per_code[row.code] = [row.n_measured, row.cases, _float(row.r), _float(row.ll), _float(row.ul)]
        figures[indicator] = per_code
    active = Posyandu.objects.filter(desa__kabupaten_code=kabupaten_code, is_active=True)
    posyandu = [
        {"code": f"{POSYANDU_PREFIX}{pk}", "name": name, "desa": desa, "lat": float(lat), "lon": float(lon)}
        for pk, name, desa, lat, lon in active.filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("desa_id", "name", "pk")
        .values_list("pk", "name", "desa_id", "latitude", "longitude")
    ]
    located = {p["code"] for p in posyandu}
    for row in compute_rows(measurements, period=period, level="posyandu", indicator=MAP_INDICATOR):
        code = f"{POSYANDU_PREFIX}{row.code}"
        if code in located:
            figures[MAP_INDICATOR][code] = [row.n_measured, row.cases, _float(row.r), _float(row.ll), _float(row.ul)]
    return {
        "version": SNAPSHOT_VERSION,
        "period": period.key,
        "areas": areas,
        "figures": figures,
        "posyandu": posyandu,
        "posyandu_unlocated": active.count() - len(posyandu),
    }


def _float(v):
    """A figure as stored in the snapshot's JSON: unrounded (rounded once, when shown)."""
    return None if v is None else float(v)


@dataclass
class PublicArea:
    code: str
    name: str
    level: str
    parent_code: str
    cells: dict[str, Cell] = field(default_factory=dict)

    def cell_list(self) -> list[Cell]:
        return [self.cells[i] for i in INDICATORS]


@dataclass
class PublicPoint:
    """A posyandu on the public map, where it stood when the round was published, with its
    (suppressed) figure for :data:`MAP_INDICATOR`."""

    code: str
    name: str
    desa_code: str
    lat: float
    lon: float
    cell: Cell


@dataclass
class PublicTable:
    period: Period
    kabupaten: PublicArea
    kecamatan: list[PublicArea]
    desa_by_kecamatan: list[tuple[PublicArea, list[PublicArea]]]
    #: The posyandu on the map; None for a snapshot published before posyandu were included.
    posyandu: list[PublicPoint] | None = None
    posyandu_unlocated: int = 0

    def desa(self) -> list[PublicArea]:
        return [d for _kecamatan, desa in self.desa_by_kecamatan for d in desa]

    def all_areas(self) -> list[PublicArea]:
        out = [self.kabupaten]
        for kec, desa in self.desa_by_kecamatan:
            out.append(kec)
            out.extend(desa)
        return out


def public_table(snapshot: dict, min_n: int = MIN_N) -> PublicTable:
    """The snapshot as suppressed public rows and posyandu points (see
    :mod:`tumbuh.publik.suppression`): for :data:`MAP_INDICATOR`, the posyandu are decided with
    the areas, as the children of their desa."""
    areas = {a["code"]: PublicArea(a["code"], a["name"], a["level"], a["parent"]) for a in snapshot["areas"]}
    points = None
    if "posyandu" in snapshot:
        points = [
            PublicPoint(p["code"], p["name"], p["desa"], p["lat"], p["lon"], Cell(p["code"], p["desa"], 0, 0))
            for p in snapshot["posyandu"]
            if p["desa"] in areas
        ]
    for indicator in INDICATORS:
        figures = snapshot["figures"].get(indicator, {})
        cells = []
        for code, area in areas.items():
            n, cases, r, ll, ul = figures.get(code, [0, 0, None, None, None])
            cell = Cell(code, area.parent_code, int(n or 0), int(cases or 0), r, ll, ul)
            area.cells[indicator] = cell
            cells.append(cell)
        if indicator == MAP_INDICATOR and points:
            for point in points:
                n, cases, r, ll, ul = figures.get(point.code, [0, 0, None, None, None])
                point.cell = Cell(point.code, point.desa_code, int(n or 0), int(cases or 0), r, ll, ul)
                cells.append(point.cell)
        suppress(cells, min_n=min_n)
    kabupaten = next(a for a in areas.values() if a.level == "kabupaten")
    kecamatan = [a for a in areas.values() if a.level == "kecamatan"]
    desa: dict[str, list[PublicArea]] = {}
    for a in areas.values():
        if a.level == "desa":
            desa.setdefault(a.parent_code, []).append(a)
    return PublicTable(
        period=Period.parse(snapshot["period"]),
        kabupaten=kabupaten,
        kecamatan=kecamatan,
        desa_by_kecamatan=[(k, desa.get(k.code, [])) for k in kecamatan],
        posyandu=points,
        posyandu_unlocated=int(snapshot.get("posyandu_unlocated") or 0),
    )
