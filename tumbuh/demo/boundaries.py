"""Synthetic boundaries and posyandu locations for the demo district (Luwu Timur, 73.24), so that
``make demo`` shows a map rather than the tile grid.

No registry package carries Indonesian desa polygons, and the demo ships no real ones, so the
demo draws its own, plausible but made up, and every map drawn from them says so
(``Boundary.synthetic``):

- **The district** is a rough outline inside Luwu Timur's real extent (about 120.1–121.5° E,
  2.2–3.0° S: the Gulf of Bone coast in the south-west, Lake Towuti's side reaching furthest
  south), its edges broken into short wavy segments so it does not look drawn with a ruler.
- **Each kecamatan** has a rough centre where the real one lies (Burau and Wotu on the coast in
  the west, Malili in the middle, Nuha and Towuti by the lakes in the east); its desa are seed
  points scattered in the kecamatan's Voronoi cell around that centre, then evened out by a few
  rounds of Lloyd's relaxation (each seed moves to the centroid of its cell within its
  kecamatan).
- **Each desa** is the Voronoi cell of its seed among all the district's seeds
  (``shapely.voronoi_polygons``), clipped to the outline: the desa tile the district without
  gaps or overlaps; **each kecamatan** is the union of its desa, so the two levels nest.

Both levels go through the maps app's own checks (``maps.geojson.check``: matched by code,
simplified, rounded) and are kept as an upload is (``maps.store.save_report``, audited as the
system), marked ``synthetic`` in the stored report. A district's own upload replaces them.

**Posyandu** of the district without a location get one inside their desa as stored (the
simplified polygon, shrunk by a margin so a point is not on the border), drawn from a random
generator seeded with the demo seed and the posyandu's code, so the same demo gets the same
points. A posyandu someone located is left alone.

Everything is seeded: the same seed gives the same file (same content hash) and the same
points. Running it again changes nothing."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from decimal import Decimal

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping, shape

from tumbuh.accounts import policy
from tumbuh.maps import geojson
from tumbuh.maps.models import Boundary
from tumbuh.maps.store import save_report
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah

from .generator import REASON, do_save

KABUPATEN = "73.24"
#: The name the stored boundary files are "uploaded" under (shown on the boundary page).
SOURCE_NAME = "batas-sintetis-demo-luwu-timur.geojson"

#: A rough outline of Luwu Timur (lon, lat), clockwise from the Luwu Utara border in the west.
OUTLINE = [
    (120.12, -2.47),
    (120.22, -2.30),
    (120.42, -2.22),
    (120.72, -2.29),
    (120.98, -2.25),
    (121.22, -2.21),
    (121.44, -2.33),
    (121.50, -2.58),
    (121.47, -2.84),
    (121.33, -2.99),
    (121.14, -2.93),
    (121.04, -2.76),
    (120.90, -2.67),
    (120.70, -2.65),
    (120.50, -2.71),
    (120.30, -2.78),
    (120.16, -2.66),
]
#: Where each kecamatan roughly lies (lon, lat).
KECAMATAN_CENTRES = {
    "73.24.01": (120.30, -2.37),  # Mangkutana
    "73.24.02": (121.33, -2.43),  # Nuha (Lake Matano, Sorowako)
    "73.24.03": (121.33, -2.78),  # Towuti (Lake Towuti)
    "73.24.04": (121.07, -2.61),  # Malili, the capital, on the coast
    "73.24.05": (120.88, -2.56),  # Angkona
    "73.24.06": (120.53, -2.62),  # Wotu
    "73.24.07": (120.28, -2.64),  # Burau
    "73.24.08": (120.58, -2.46),  # Tomoni
    "73.24.09": (120.74, -2.42),  # Tomoni Timur
    "73.24.10": (120.43, -2.36),  # Kalaena
    "73.24.11": (121.17, -2.43),  # Wasuponda
}
LLOYD_ROUNDS = 4
#: Wavy edges of the outline: segments per degree of edge, and their sideways noise (degrees).
WAVE_SEGMENTS_PER_DEGREE = 40
WAVE_AMPLITUDE = 0.006
#: How far inside its desa's border a posyandu is placed (degrees, about 300 m), where the desa allows.
POINT_MARGIN = 0.003


@dataclass
class Layout:
    """The synthetic areas: (code → polygon) per level, and the outline they fill."""

    outline: Polygon
    kecamatan: dict[str, object]
    desa: dict[str, object]


def _wavy_outline(rng: random.Random) -> Polygon:
    ring = []
    for (x0, y0), (x1, y1) in zip(OUTLINE, OUTLINE[1:] + OUTLINE[:1], strict=True):
        length = math.hypot(x1 - x0, y1 - y0)
        steps = max(2, int(length * WAVE_SEGMENTS_PER_DEGREE))
        nx, ny = (y1 - y0) / length, -(x1 - x0) / length  # the edge's normal
        for s in range(steps):
            t = s / steps
            wobble = 0.0 if s == 0 else rng.uniform(-WAVE_AMPLITUDE, WAVE_AMPLITUDE)
            ring.append((x0 + (x1 - x0) * t + nx * wobble, y0 + (y1 - y0) * t + ny * wobble))
    outline = Polygon(ring)
    return outline if outline.is_valid else shapely.make_valid(outline).buffer(0)


def _cells(points: list[tuple[float, float]], outline) -> list:
    """The Voronoi cell of each point (in the points' order), clipped to ``outline``."""
    diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=outline)
    cells = list(shapely.get_parts(diagram))
    tree = shapely.STRtree(cells)
    out = []
    for x, y in points:
        found = [i for i in tree.query(Point(x, y), predicate="intersects")]
        out.append(cells[found[0]].intersection(outline))
    return out


def _scatter(rng: random.Random, area, n: int) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = area.bounds
    out = []
    while len(out) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if area.contains(Point(x, y)):
            out.append((x, y))
    return out


def layout(seed: int, desa_by_kecamatan: dict[str, list[str]]) -> Layout:
    """The synthetic kecamatan and desa polygons for ``desa_by_kecamatan`` (kecamatan code →
    its desa codes, in code order), deterministic for ``seed``."""
    rng = random.Random(f"{seed}:{KABUPATEN}:boundaries")  # seeded demo data, no secret  # nosec B311
    outline = _wavy_outline(rng)
    kecamatan = sorted(desa_by_kecamatan)
    centres = [KECAMATAN_CENTRES.get(k) or _scatter(rng, outline, 1)[0] for k in kecamatan]
    rough = dict(zip(kecamatan, _cells(centres, outline), strict=True))
    seeds: list[tuple[float, float]] = []
    owner: list[str] = []
    for k in kecamatan:
        seeds += _scatter(rng, rough[k], len(desa_by_kecamatan[k]))
        owner += [k] * len(desa_by_kecamatan[k])
    for _round in range(LLOYD_ROUNDS):
        cells = _cells(seeds, outline)
        moved = []
        for (x, y), k, cell in zip(seeds, owner, cells, strict=True):
            inside = cell.intersection(rough[k])
            c = inside.centroid if not inside.is_empty else None
            moved.append((c.x, c.y) if c is not None and not c.is_empty else (x, y))
        seeds = moved
    cells = shapely.set_precision(_cells(seeds, outline), 1e-7)
    desa: dict[str, object] = {}
    position = 0
    for k in kecamatan:
        for code in desa_by_kecamatan[k]:
            desa[code] = cells[position]
            position += 1
    kec = {k: shapely.union_all([desa[c] for c in desa_by_kecamatan[k]]) for k in kecamatan}
    return Layout(outline, kec, desa)


def _collection(areas: dict[str, object], names: dict[str, str]) -> bytes:
    features = [
        {"type": "Feature", "properties": {"kode": code, "nama": names[code]}, "geometry": mapping(geom)}
        for code, geom in areas.items()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


@dataclass
class DemoMap:
    boundaries_saved: int = 0
    posyandu_located: int = 0


def build_demo_map(seed: int) -> DemoMap:
    """Give the demo district synthetic boundaries (kecamatan and desa), unless it has
    boundaries of that level already, and each of its posyandu without a location a point
    inside its desa, when the desa boundaries are the demo's synthetic ones."""
    regions = list(
        Wilayah.objects.filter(kabupaten_code=KABUPATEN, level__in=(Level.KECAMATAN, Level.DESA))
        .order_by("code")
        .values_list("code", "name", "level", "parent_id")
    )
    names = {code: name for code, name, _level, _parent in regions}
    desa_by_kecamatan: dict[str, list[str]] = {c: [] for c, _n, level, _p in regions if level == Level.KECAMATAN}
    for code, _name, level, parent in regions:
        if level == Level.DESA:
            desa_by_kecamatan[parent].append(code)
    done = DemoMap()
    if not desa_by_kecamatan:
        return done
    existing = {b.level: b for b in Boundary.objects.filter(kabupaten_id=KABUPATEN)}
    shapes = None
    for level in (Level.KECAMATAN, Level.DESA):
        if level in existing:
            continue
        shapes = shapes or layout(seed, desa_by_kecamatan)
        areas = shapes.kecamatan if level == Level.KECAMATAN else shapes.desa
        report = geojson.check(_collection(areas, names), KABUPATEN, level)
        existing[level] = save_report(
            policy.SYSTEM,
            Boundary(kabupaten_id=KABUPATEN, level=level),
            report,
            source_name=SOURCE_NAME,
            tolerance=geojson.DEFAULT_TOLERANCE,
            reason=f"{REASON}: batas wilayah sintetis",
            synthetic=True,
        )
        done.boundaries_saved += 1
    desa_boundary = existing.get(Level.DESA)
    if desa_boundary is not None and desa_boundary.synthetic:
        done.posyandu_located = locate_posyandu(seed, desa_boundary)
    return done


def locate_posyandu(seed: int, boundary: Boundary) -> int:
    """Give each posyandu of the district without a location a point inside its desa's polygon
    in ``boundary`` (as stored); returns how many were located."""
    polygons = {f["properties"]["code"]: shape(f["geometry"]) for f in boundary.collection()["features"]}
    located = 0
    for posyandu in Posyandu.objects.filter(desa__kabupaten_code=KABUPATEN, latitude__isnull=True).order_by("pk"):
        polygon = polygons.get(posyandu.desa_id)
        if polygon is None:
            continue
        rng = random.Random(f"{seed}:{posyandu.code or posyandu.pk}")  # seeded demo data, no secret  # nosec B311
        lon, lat = point_inside(polygon, rng)
        posyandu.latitude, posyandu.longitude = lat, lon
        do_save(policy.SYSTEM, posyandu, reason=f"{REASON}: lokasi sintetis")
        located += 1
    return located


def point_inside(polygon, rng: random.Random) -> tuple[Decimal, Decimal]:
    """A random (lon, lat) inside ``polygon``, away from its border where it is wide enough,
    written with the 6 decimals a posyandu's location keeps (and still inside once rounded)."""
    core = polygon.buffer(-POINT_MARGIN)
    for area in (core, polygon):
        if area.is_empty:
            continue
        minx, miny, maxx, maxy = area.bounds
        for _attempt in range(500):
            lon = Decimal(f"{rng.uniform(minx, maxx):.6f}")
            lat = Decimal(f"{rng.uniform(miny, maxy):.6f}")
            if area.contains(Point(float(lon), float(lat))) and polygon.contains(Point(float(lon), float(lat))):
                return lon, lat
    p = polygon.representative_point()
    return Decimal(f"{p.x:.6f}"), Decimal(f"{p.y:.6f}")
