"""Read, check and simplify an uploaded boundary file (GeoJSON FeatureCollection).

Each feature names its area by Kemendagri code in one of its properties (``kode``,
``kode_wilayah``, ``KDEPUM``, ``code``…, dotted ``73.24.04`` or undotted ``732404``). The check
reports, without refusing the whole file:

- codes that are not areas of the district at that level (unknown codes);
- areas of the district at that level with no feature (missing areas);
- duplicated codes and features that are not polygons;
- invalid geometry, with ``shapely.is_valid_reason``; invalid features are refused unless the
  uploader asks to repair them with ``shapely.make_valid``.

The stored file is simplified for the web: ``shapely.simplify`` (topology preserved) and
coordinates rounded to 5 decimals (about 1 m), with the size before and after.

Simplification is per feature, so neighbouring areas may show hairline gaps or overlaps along
shared borders at high zoom; the tolerance is small enough for a district map.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

import shapely
from shapely.geometry import mapping, shape

from tumbuh.wilayah.models import Level, Wilayah

#: Property names that may hold the code, in order of preference (compared case-insensitively).
CODE_PROPERTIES = (
    "kode", "kode_wilayah", "kdepum", "kode_desa", "kode_kec", "kd_wilayah", "kode_kemendagri", "kemendagri",
    "code", "kdcpum", "id_wilayah", "adm_code",
)
NAME_PROPERTIES = ("nama", "name", "namobj", "wadmkd", "wadmkc", "nama_wilayah", "desa", "kecamatan")

#: Default simplification tolerance in degrees (about 30 m at the equator).
DEFAULT_TOLERANCE = 0.0003
DECIMALS = 5

#: Digits of an undotted code per level: 73, 7324, 732404, 7324042001.
_UNDOTTED = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}


class BoundaryFileError(ValueError):
    """The file cannot be read as a GeoJSON FeatureCollection at all."""


def normalise_code(value) -> str | None:
    """``"7324042001"``, ``"73.24.04.2001"``, ``73240`` (a number) → dotted code, or None."""
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", text):
        return text
    digits = re.sub(r"[\s._-]", "", text)
    if not digits.isdigit() or len(digits) not in _UNDOTTED:
        return None
    parts, i = [], 0
    for width in _UNDOTTED[len(digits)]:
        parts.append(digits[i:i + width])
        i += width
    return ".".join(parts)


def _lower_keys(props: dict) -> dict:
    return {str(k).lower(): v for k, v in (props or {}).items()}


def code_of(feature: dict) -> tuple[str | None, str | None]:
    """(dotted code, the property it came from) of one feature."""
    props = _lower_keys(feature.get("properties") or {})
    for key in CODE_PROPERTIES:
        if key in props and props[key] not in (None, ""):
            code = normalise_code(props[key])
            if code:
                return code, key
    if feature.get("id") is not None:
        code = normalise_code(feature["id"])
        if code:
            return code, "id"
    return None, None


def name_of(feature: dict) -> str:
    props = _lower_keys(feature.get("properties") or {})
    for key in NAME_PROPERTIES:
        if props.get(key):
            return str(props[key])
    return ""


@dataclass
class Issue:
    kind: str  # unknown_code, missing_area, invalid_geometry, repaired, duplicate, no_code, not_polygon, other_level
    code: str = ""
    name: str = ""
    detail: str = ""


@dataclass
class Report:
    level: int
    kabupaten_code: str
    features_in: int = 0
    features_kept: int = 0
    size_before: int = 0
    size_after: int = 0
    vertices_before: int = 0
    vertices_after: int = 0
    code_property: str = ""
    issues: list[Issue] = field(default_factory=list)
    geojson: dict | None = None  # the simplified FeatureCollection, ready to store

    def of_kind(self, kind: str) -> list[Issue]:
        return [i for i in self.issues if i.kind == kind]

    @property
    def unknown(self) -> list[Issue]:
        return self.of_kind("unknown_code")

    @property
    def missing(self) -> list[Issue]:
        return self.of_kind("missing_area")

    @property
    def invalid(self) -> list[Issue]:
        return self.of_kind("invalid_geometry")

    @property
    def repaired(self) -> list[Issue]:
        return self.of_kind("repaired")

    @property
    def other(self) -> list[Issue]:
        named = {"unknown_code", "missing_area", "invalid_geometry", "repaired"}
        return [i for i in self.issues if i.kind not in named]

    @property
    def can_save(self) -> bool:
        """Invalid geometry left unrepaired, or nothing usable, blocks saving."""
        return self.features_kept > 0 and not self.invalid

    @property
    def shrink_percent(self) -> float:
        return 100.0 * (1 - self.size_after / self.size_before) if self.size_before else 0.0

    def summary(self) -> dict:
        """What is stored with the boundary (without the geometry)."""
        data = asdict(self)
        data.pop("geojson")
        return data


def _round_coords(obj, decimals: int = DECIMALS):
    if isinstance(obj, float):
        return round(obj, decimals)
    if isinstance(obj, (list, tuple)):
        return [_round_coords(o, decimals) for o in obj]
    return obj


def _polygonal(geom):
    """Keep only the polygons of a geometry (make_valid may return a collection with lines)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        if polys:
            return shapely.union_all(polys)
    return None


def detect_level(codes: list[str]) -> int | None:
    levels = [c.count(".") + 1 for c in codes if c]
    counts = {lvl: levels.count(lvl) for lvl in (Level.KECAMATAN, Level.DESA)}
    best = max(counts, key=counts.get)
    return int(best) if counts[best] else None


def check(
    data: bytes | str,
    kabupaten_code: str,
    level: int | None = None,
    *,
    repair: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Report:
    """Read, check and simplify ``data`` for the areas of ``kabupaten_code`` at ``level``
    (kecamatan or desa; None: the level most codes are at)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryFileError(f"not JSON: {exc}") from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise BoundaryFileError("not a GeoJSON FeatureCollection")
    features = [f for f in doc["features"] if isinstance(f, dict)]
    coded = [(f, *code_of(f)) for f in features]
    if level is None:
        level = detect_level([c for _, c, _ in coded])
        if level is None:
            raise BoundaryFileError("no feature carries a Kemendagri code of a kecamatan or desa")
    expected = {
        w.code: w.name for w in Wilayah.objects.filter(kabupaten_code=kabupaten_code, level=level).only("code", "name")
    }
    report = Report(level=int(level), kabupaten_code=kabupaten_code, features_in=len(features), size_before=len(raw))
    props_used = {}
    seen: set[str] = set()
    out = []
    for index, (feature, code, prop) in enumerate(coded, start=1):
        label = name_of(feature)
        if code is None:
            report.issues.append(Issue("no_code", name=label, detail=f"feature {index}"))
            continue
        props_used[prop] = props_used.get(prop, 0) + 1
        if code not in expected:
            if code.count(".") + 1 != level and code.startswith(kabupaten_code + "."):
                report.issues.append(Issue("other_level", code=code, name=label))
            else:
                report.issues.append(Issue("unknown_code", code=code, name=label))
            continue
        if code in seen:
            report.issues.append(Issue("duplicate", code=code, name=expected[code]))
            continue
        try:
            geom = shape(feature.get("geometry") or {})
        except Exception as exc:  # shapely raises several kinds for malformed coordinates
            report.issues.append(Issue("invalid_geometry", code=code, name=expected[code], detail=str(exc)[:200]))
            continue
        if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            report.issues.append(Issue("not_polygon", code=code, name=expected[code], detail=geom.geom_type))
            continue
        report.vertices_before += int(shapely.get_num_coordinates(geom))
        if not shapely.is_valid(geom):
            reason = shapely.is_valid_reason(geom)
            if not repair:
                report.issues.append(Issue("invalid_geometry", code=code, name=expected[code], detail=reason))
                continue
            fixed = _polygonal(shapely.make_valid(geom))
            if fixed is None or fixed.is_empty:
                report.issues.append(Issue("invalid_geometry", code=code, name=expected[code], detail=reason))
                continue
            report.issues.append(Issue("repaired", code=code, name=expected[code], detail=reason))
            geom = fixed
        simple = shapely.simplify(geom, tolerance, preserve_topology=True)
        simple = shapely.set_precision(simple, 10 ** -DECIMALS)
        simple = _polygonal(simple) if simple.geom_type not in ("Polygon", "MultiPolygon") else simple
        if simple is None or simple.is_empty:  # smaller than the precision grid: keep the original
            simple = geom
        report.vertices_after += int(shapely.get_num_coordinates(simple))
        seen.add(code)
        geometry = mapping(simple)
        out.append({
            "type": "Feature",
            "properties": {"code": code, "name": expected[code]},
            "geometry": {"type": geometry["type"], "coordinates": _round_coords(geometry["coordinates"])},
        })
    for code in sorted(set(expected) - seen):
        if not any(i.code == code for i in report.issues):
            report.issues.append(Issue("missing_area", code=code, name=expected[code]))
    report.code_property = max(props_used, key=props_used.get) if props_used else ""
    report.features_kept = len(out)
    collection = {"type": "FeatureCollection", "features": sorted(out, key=lambda f: f["properties"]["code"])}
    report.geojson = collection
    report.size_after = len(json.dumps(collection, separators=(",", ":")).encode("utf-8"))
    return report
