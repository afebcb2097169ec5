"""Check, match and simplify boundary features for one district and level (kecamatan or desa).

The features come from an uploaded GeoJSON FeatureCollection (:func:`check`) or from a zipped
shapefile (:mod:`tumbuh.maps.shapefiles`, reprojected to WGS 84 first); both go through the
same :func:`check_features`, so the matching and the report are the same whatever the file.

**Matching a feature to an area**, in this order:

1. a Kemendagri code in one of :data:`CODE_PROPERTIES` (``KDEPUM``, ``kode``, …; dotted
   ``73.24.04.2001`` or not ``7324042001``);
2. a BPS code (``KDEBPS``, ``IDDESA``, ``KODE_DESA``…: 10 digits for a desa, 7 for a
   kecamatan), matched against the BPS codes the district loaded on the Regions page; also
   the BPS parts in separate columns (``KDPROV``, ``KDKAB``, ``KDKEC``, ``KDDESA``);
3. the name (``NAMOBJ``, ``WADMKD``, ``DESA``, ``NAMA_DESA``…), compared without case,
   accents, apostrophes, punctuation or a "Desa"/"Kelurahan" prefix; a name that several
   areas share is told apart by the kecamatan's name (``WADMKC``, ``KECAMATAN``…).

The check reports, without refusing the whole file:

- features that match no area (**features without a desa**): a code not in the district, no
  code and no matching name, a name several areas share;
- areas of the district with no feature (**desa without a feature**);
- features matched by name only (to be looked over), features of another level, several
  features of one area (merged into one), features that are not polygons;
- invalid geometry, with ``shapely.is_valid_reason``; invalid features are refused unless the
  uploader asks to repair them with ``shapely.make_valid``.

**Simplification** for the web: when the areas form a clean coverage (no overlaps, shared
borders with the same vertices), ``shapely.coverage_simplify`` simplifies the shared borders
once, so neighbours keep meeting without gaps or slivers; otherwise each area is simplified on
its own (``shapely.simplify``, topology preserved), which may leave hairline gaps at high zoom.
Coordinates are rounded to 5 decimals (about 1 m); the size before and after is reported.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field

import shapely
from django.utils.translation import gettext, gettext_noop
from shapely.geometry import mapping, shape

from tumbuh.wilayah.models import BPS_DIGITS, Level, Wilayah

#: Properties that may hold a Kemendagri code, in order of preference (compared case-insensitively).
CODE_PROPERTIES = (
    "kode",
    "kode_wilayah",
    "kdepum",
    "kode_desa",
    "kd_desa",
    "kode_kd",
    "kode_kel",
    "kode_kec",
    "kd_kec",
    "kode_kc",
    "kd_wilayah",
    "kode_kemendagri",
    "kemendagri",
    "code",
    "kdcpum",
    "id_wilayah",
    "adm_code",
    "iddesa",
    "id_desa",
    "idkec",
    "id_kec",
)
#: Properties that may hold a BPS code (also tried: every property of CODE_PROPERTIES).
BPS_PROPERTIES = (
    "kdebps",
    "kdcbps",
    "kode_bps",
    "kd_bps",
    "bps",
    "iddesa",
    "id_desa",
    "kode_desa",
    "kd_desa",
    "kode_kd",
    "idkec",
    "kode_kec",
    "kd_kec",
    "kode",
)
#: Properties that hold Kemendagri codes only (never read as a BPS code, whose 10 digits they share).
_KEMENDAGRI_ONLY = {"kdepum", "kdcpum", "kode_kemendagri", "kemendagri"}
#: BPS code parts in separate columns (BPS's own boundary files).
BPS_PARTS = {
    "provinsi": ("kdprov", "kode_prov", "kd_prov"),
    "kabupaten": ("kdkab", "kode_kab", "kd_kab"),
    "kecamatan": ("kdkec", "kode_kec", "kd_kec"),
    "desa": ("kddesa", "kode_desa", "kd_desa"),
}
#: Properties that may hold the name of the area, per level, in order of preference.
NAME_PROPERTIES = {
    Level.DESA: (
        "namobj",
        "wadmkd",
        "desa",
        "nama_desa",
        "nmdesa",
        "nama_kel",
        "nm_desa",
        "desa_kel",
        "kelurahan",
        "desa_kelurahan",
        "nama",
        "name",
        "nama_wilayah",
    ),
    Level.KECAMATAN: ("namobj", "wadmkc", "kecamatan", "nama_kec", "nmkec", "nm_kec", "nama", "name", "nama_wilayah"),
}
#: Properties that may hold the kecamatan's name of a desa (to tell desa of one name apart).
KECAMATAN_NAME_PROPERTIES = ("wadmkc", "kecamatan", "nama_kec", "nmkec", "nm_kec", "kec")

#: Default simplification tolerance in degrees (about 30 m at the equator).
DEFAULT_TOLERANCE = 0.0003
DECIMALS = 5
#: Features listed per kind in the report (the counts are complete).
LISTED = 200

#: Digits of an undotted code per level: 73, 7324, 732404, 7324042001.
_UNDOTTED = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}
_NAME_PREFIXES = ("desa ", "kelurahan ", "kel ", "ds ", "kecamatan ", "kec ", "distrik ")

#: What went wrong with a feature, or what to look at (stored as data, shown translated).
KIND_LABELS = {
    "unknown_code": gettext_noop("code not in this district"),
    "no_match": gettext_noop("no area of this name"),
    "ambiguous": gettext_noop("several areas have this name"),
    "no_code": gettext_noop("no code and no name"),
    "other_level": gettext_noop("an area of another level"),
    "duplicate": gettext_noop("several features for one area: merged"),
    "not_polygon": gettext_noop("not a polygon"),
    "no_geometry": gettext_noop("no geometry"),
    "invalid_geometry": gettext_noop("invalid geometry"),
    "repaired": gettext_noop("repaired"),
    "by_name": gettext_noop("matched by name"),
    "missing_area": gettext_noop("no feature"),
}
#: The kinds that leave a feature off the map: the "features without an area" of the report.
UNMATCHED = ("unknown_code", "no_match", "ambiguous", "no_code", "other_level")


class BoundaryFileError(ValueError):
    """The file cannot be read as boundaries at all: an English msgid and its parameters,
    translated when shown (``text()``)."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def text(self) -> str:
        text = gettext(self.message)
        return text % self.params if self.params else text


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
        parts.append(digits[i : i + width])
        i += width
    return ".".join(parts)


def normalise_name(value) -> str:
    """A name as compared: ``"Pasi-Pasi"``, ``"PASI PASI"`` and ``"Desa Pasi’pasi"`` are one;
    case, accents, apostrophes, punctuation and spaces go, and a "Desa"/"Kelurahan" prefix."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^0-9a-z]+", " ", text).strip()
    for prefix in _NAME_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :].strip()
            break
    return text.replace(" ", "")


def _lower_keys(props: dict) -> dict:
    return {str(k).strip().lower(): v for k, v in (props or {}).items()}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def code_of(feature: dict) -> tuple[str | None, str | None]:
    """(dotted Kemendagri-shaped code, the property it came from) of one feature."""
    props = _lower_keys(feature.get("properties") or {})
    for key in CODE_PROPERTIES:
        if key in props and props[key] not in (None, ""):
            code = normalise_code(_text(props[key]))
            if code:
                return code, key
    if feature.get("id") is not None:
        code = normalise_code(feature["id"])
        if code:
            return code, "id"
    return None, None


def name_of(feature: dict, level: int = Level.DESA) -> str:
    props = _lower_keys(feature.get("properties") or {})
    for key in NAME_PROPERTIES.get(level, NAME_PROPERTIES[Level.DESA]):
        if _text(props.get(key)):
            return _text(props[key])
    return ""


def kecamatan_name_of(feature: dict) -> str:
    props = _lower_keys(feature.get("properties") or {})
    for key in KECAMATAN_NAME_PROPERTIES:
        if _text(props.get(key)):
            return _text(props[key])
    return ""


def _bps_candidates(props: dict, level: int) -> list[tuple[str, str]]:
    """(BPS code, property) pairs a feature offers for ``level``."""
    digits = BPS_DIGITS[Level(level)]
    out = []
    for key in (*BPS_PROPERTIES, *(k for k in CODE_PROPERTIES if k not in _KEMENDAGRI_ONLY)):
        value = re.sub(r"[\s._-]", "", _text(props.get(key)))
        if value.isdigit() and len(value) == digits:
            out.append((value, key))
    parts = []
    wanted = ("provinsi", "kabupaten", "kecamatan", "desa")[: 4 if level == Level.DESA else 3]
    widths = {"provinsi": 2, "kabupaten": 2, "kecamatan": 3, "desa": 3}
    for part in wanted:
        value = next((_text(props.get(k)) for k in BPS_PARTS[part] if _text(props.get(k))), "")
        value = re.sub(r"\D", "", value)
        if not value or len(value) > widths[part]:
            break
        parts.append(value.zfill(widths[part]))
    else:
        out.append(("".join(parts), "+".join(BPS_PARTS[p][0] for p in wanted)))
    return out


@dataclass
class Issue:
    kind: str  # a key of KIND_LABELS
    code: str = ""
    name: str = ""
    detail: str = ""
    feature: int = 0  # its position in the file (1-based), 0 for an area without a feature
    found: str = ""  # what the feature says (its code and name, as written)

    @property
    def label(self) -> str:
        return gettext(KIND_LABELS.get(self.kind, self.kind))


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
    matched_by: dict = field(default_factory=dict)  # "code" | "bps" | "name" → features
    source: str = "geojson"  # "geojson" | "shapefile"
    notes: list = field(default_factory=list)  # [msgid, params]: what was read and assumed (CRS, encoding, layer)
    simplified_as_coverage: bool = False
    bbox: list = field(default_factory=list)  # [min lon, min lat, max lon, max lat] of the kept areas
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
    def by_name(self) -> list[Issue]:
        return self.of_kind("by_name")

    @property
    def unmatched(self) -> list[Issue]:
        """Features that are on no area: the "features without a desa" of the page."""
        return [i for i in self.issues if i.kind in UNMATCHED]

    @property
    def other(self) -> list[Issue]:
        named = {"unknown_code", "missing_area", "invalid_geometry", "repaired", "by_name", *UNMATCHED}
        return [i for i in self.issues if i.kind not in named]

    @property
    def can_save(self) -> bool:
        """Invalid geometry left unrepaired, or nothing usable, blocks saving."""
        return self.features_kept > 0 and not self.invalid

    @property
    def shrink_percent(self) -> float:
        return 100.0 * (1 - self.size_after / self.size_before) if self.size_before else 0.0

    def note_texts(self) -> list[str]:
        return [gettext(msg) % params if params else gettext(msg) for msg, params in self.notes]

    def summary(self) -> dict:
        """What is stored with the boundary (without the geometry; the issues listed up to
        :data:`LISTED` per kind, their counts complete)."""
        data = asdict(self)
        data.pop("geojson")
        counts = Counter(i.kind for i in self.issues)
        listed: Counter = Counter()
        kept = []
        for issue in data["issues"]:
            listed[issue["kind"]] += 1
            if listed[issue["kind"]] <= LISTED:
                kept.append(issue)
        data["issues"] = kept
        data["issue_counts"] = dict(counts)
        return data


def _round_coords(obj, decimals: int = DECIMALS):
    if isinstance(obj, float):
        return round(obj, decimals)
    if isinstance(obj, (list, tuple)):
        return [_round_coords(o, decimals) for o in obj]
    return obj


def _polygonal(geom):
    """Keep only the polygons of a geometry (make_valid may return a collection with lines)."""
    if geom is None:
        return None
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


def parse_geojson(raw: bytes) -> list[dict]:
    """The features of a GeoJSON FeatureCollection (or a single Feature)."""
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryFileError(gettext_noop("The file is not JSON (%(error)s)."), error=str(exc)[:120]) from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise BoundaryFileError(gettext_noop("The file is JSON but not a GeoJSON FeatureCollection."))
    return [f for f in doc["features"] if isinstance(f, dict)]


def check(
    data: bytes | str,
    kabupaten_code: str,
    level: int | None = None,
    *,
    repair: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Report:
    """Read, match and simplify GeoJSON ``data`` for the areas of ``kabupaten_code`` at
    ``level`` (kecamatan or desa; None: the level the features match best)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    features = parse_geojson(raw)
    return check_features(features, kabupaten_code, level, repair=repair, tolerance=tolerance, size_before=len(raw))


# ---------------------------------------------------------------- matching


@dataclass
class _Areas:
    """The areas of one level of the district, with the ways a feature may name them."""

    level: int
    names: dict  # code -> name
    kecamatan_of: dict  # code -> normalised kecamatan name (desa level)
    by_bps: dict  # BPS code -> code
    by_name: dict  # normalised name -> [codes]

    @classmethod
    def load(cls, kabupaten_code: str, level: int) -> _Areas:
        rows = list(
            Wilayah.objects.filter(kabupaten_code=kabupaten_code, level=level).values_list(
                "code", "name", "bps_code", "kecamatan_code"
            )
        )
        kecamatan = dict(
            Wilayah.objects.filter(kabupaten_code=kabupaten_code, level=Level.KECAMATAN).values_list("code", "name")
        )
        by_name: dict[str, list[str]] = {}
        for code, name, _bps, _kec in rows:
            by_name.setdefault(normalise_name(name), []).append(code)
        return cls(
            level=level,
            names={code: name for code, name, _b, _k in rows},
            kecamatan_of={code: normalise_name(kecamatan.get(kec, "")) for code, _n, _b, kec in rows},
            by_bps={bps: code for code, _n, bps, _k in rows if bps},
            by_name=by_name,
        )


@dataclass
class _Match:
    code: str | None
    how: str  # "code", "bps", "name", or the issue kind when code is None
    prop: str = ""
    detail: str = ""


def _match(feature: dict, areas: _Areas, kabupaten_code: str) -> _Match:
    props = _lower_keys(feature.get("properties") or {})
    code, prop = code_of(feature)
    if code in areas.names:
        return _Match(code, "code", prop)
    for bps, key in _bps_candidates(props, areas.level):
        if bps in areas.by_bps:
            return _Match(areas.by_bps[bps], "bps", key)
    name = name_of(feature, areas.level)
    if name:
        candidates = areas.by_name.get(normalise_name(name), [])
        if len(candidates) > 1 and areas.level == Level.DESA:
            kecamatan = normalise_name(kecamatan_name_of(feature))
            narrowed = [c for c in candidates if kecamatan and areas.kecamatan_of.get(c) == kecamatan]
            candidates = narrowed or candidates
        if len(candidates) == 1:
            return _Match(candidates[0], "name", "")
        if len(candidates) > 1:
            return _Match(None, "ambiguous", detail=", ".join(sorted(candidates)))
    if code is not None:
        if code.startswith(kabupaten_code + ".") and code.count(".") + 1 != areas.level:
            return _Match(None, "other_level", prop)
        return _Match(None, "unknown_code", prop)
    return _Match(None, "no_match" if name else "no_code")


def _found(feature: dict, level: int) -> str:
    """What a feature says about itself, for the report: its code(s) and name(s) as written."""
    props = _lower_keys(feature.get("properties") or {})
    parts = []
    code, _prop = code_of(feature)
    if code:
        parts.append(code)
    for bps, _key in _bps_candidates(props, level)[:1]:
        if bps.replace(".", "") != (code or "").replace(".", ""):
            parts.append(bps)
    name = name_of(feature, level)
    if name:
        parts.append(name)
    kecamatan = kecamatan_name_of(feature) if level == Level.DESA else ""
    if kecamatan and kecamatan != name:
        parts.append(f"({kecamatan})")
    return " ".join(parts)[:200]


def _best_level(features: list[dict], kabupaten_code: str) -> int | None:
    codes = [code_of(f)[0] for f in features]
    level = detect_level([c for c in codes if c and c.startswith(kabupaten_code + ".")]) or detect_level(
        [c for c in codes if c]
    )
    if level is not None:
        return level
    scores = {}
    for lvl in (Level.DESA, Level.KECAMATAN):
        areas = _Areas.load(kabupaten_code, lvl)
        scores[lvl] = sum(1 for f in features if _match(f, areas, kabupaten_code).code)
    best = max(scores, key=scores.get)
    return int(best) if scores[best] else None


def check_features(
    features: list[dict],
    kabupaten_code: str,
    level: int | None = None,
    *,
    repair: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
    size_before: int = 0,
    source: str = "geojson",
    notes: list | None = None,
) -> Report:
    """Match ``features`` (GeoJSON-like dicts in WGS 84) to the areas of ``kabupaten_code`` at
    ``level``, check their geometry and simplify them (see the module's description)."""
    if level is None:
        level = _best_level(features, kabupaten_code)
        if level is None:
            raise BoundaryFileError(
                gettext_noop(
                    "No feature carries a Kemendagri or BPS code, or the name, of a kecamatan or desa of this district."
                )
            )
    areas = _Areas.load(kabupaten_code, int(level))
    report = Report(
        level=int(level),
        kabupaten_code=kabupaten_code,
        features_in=len(features),
        size_before=size_before,
        source=source,
        notes=list(notes or []),
    )
    props_used: Counter = Counter()
    matched_by: Counter = Counter()
    geoms: dict[str, list] = {}
    for index, feature in enumerate(features, start=1):
        m = _match(feature, areas, kabupaten_code)
        found = _found(feature, level)
        if m.code is None:
            report.issues.append(
                Issue(
                    m.how,
                    code=code_of(feature)[0] or "",
                    name=name_of(feature, level),
                    detail=m.detail,
                    feature=index,
                    found=found,
                )
            )
            continue
        name = areas.names[m.code]
        if m.prop:
            props_used[m.prop] += 1
        try:
            geom = (
                shape(feature.get("geometry") or {})
                if not hasattr(feature.get("geometry"), "geom_type")
                else feature["geometry"]
            )
        except Exception as exc:  # shapely raises several kinds for malformed coordinates
            report.issues.append(
                Issue("invalid_geometry", code=m.code, name=name, detail=str(exc)[:200], feature=index, found=found)
            )
            continue
        if geom is None or geom.is_empty:
            report.issues.append(Issue("no_geometry", code=m.code, name=name, feature=index, found=found))
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            report.issues.append(
                Issue("not_polygon", code=m.code, name=name, detail=geom.geom_type, feature=index, found=found)
            )
            continue
        report.vertices_before += int(shapely.get_num_coordinates(geom))
        if not shapely.is_valid(geom):
            reason = shapely.is_valid_reason(geom)
            if not repair:
                report.issues.append(
                    Issue("invalid_geometry", code=m.code, name=name, detail=reason, feature=index, found=found)
                )
                continue
            fixed = _polygonal(shapely.make_valid(geom))
            if fixed is None or fixed.is_empty:
                report.issues.append(
                    Issue("invalid_geometry", code=m.code, name=name, detail=reason, feature=index, found=found)
                )
                continue
            report.issues.append(Issue("repaired", code=m.code, name=name, detail=reason, feature=index, found=found))
            geom = fixed
        matched_by[m.how] += 1
        if m.how == "name":
            report.issues.append(Issue("by_name", code=m.code, name=name, feature=index, found=found))
        if m.code in geoms:
            report.issues.append(Issue("duplicate", code=m.code, name=name, feature=index, found=found))
        geoms.setdefault(m.code, []).append(geom)
    merged = {
        code: parts[0] if len(parts) == 1 else _polygonal(shapely.union_all(parts)) for code, parts in geoms.items()
    }
    merged = {code: g for code, g in merged.items() if g is not None and not g.is_empty}
    simple = _simplify(merged, tolerance, report)
    out = []
    for code, geom in simple.items():
        report.vertices_after += int(shapely.get_num_coordinates(geom))
        geometry = mapping(geom)
        out.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": areas.names[code]},
                "geometry": {"type": geometry["type"], "coordinates": _round_coords(geometry["coordinates"])},
            }
        )
    for code in sorted(set(areas.names) - set(simple)):
        if not any(i.code == code for i in report.issues):
            report.issues.append(Issue("missing_area", code=code, name=areas.names[code]))
    report.code_property = props_used.most_common(1)[0][0] if props_used else ""
    report.matched_by = dict(matched_by)
    report.features_kept = len(out)
    if simple:
        report.bbox = [round(v, DECIMALS) for v in shapely.total_bounds(list(simple.values())).tolist()]
    collection = {"type": "FeatureCollection", "features": sorted(out, key=lambda f: f["properties"]["code"])}
    report.geojson = collection
    report.size_after = len(json.dumps(collection, separators=(",", ":")).encode("utf-8"))
    return report


def _simplify(geoms: dict, tolerance: float, report: Report) -> dict:
    """Each area simplified and put on a 5-decimal grid; a clean coverage is simplified as one
    (shared borders once), when this shapely can (2.1 and later)."""
    codes = list(geoms)
    shapes = [geoms[c] for c in codes]
    simplified = None
    if tolerance > 0 and len(shapes) > 1 and hasattr(shapely, "coverage_simplify"):
        try:
            if bool(shapely.coverage_is_valid(shapes)):
                simplified = list(shapely.coverage_simplify(shapes, tolerance))
                report.simplified_as_coverage = True
        except shapely.errors.GEOSException:
            simplified = None
    if simplified is None:
        simplified = [shapely.simplify(g, tolerance, preserve_topology=True) for g in shapes]
    out = {}
    for code, original, geom in zip(codes, shapes, simplified, strict=True):
        geom = shapely.set_precision(geom, 10**-DECIMALS)
        geom = _polygonal(geom) if geom.geom_type not in ("Polygon", "MultiPolygon") else geom
        if geom is None or geom.is_empty:  # smaller than the precision grid: keep the original
            geom = original
        out[code] = geom
    return out
