"""Zipped shapefiles as BIG (Ina-Geoportal) and BPS distribute them: read safely, reprojected
to WGS 84, handed to the same matching as GeoJSON (:func:`tumbuh.maps.geojson.check_features`).

**A hostile zip is refused before anything is unpacked**, by the guard every upload shares
(:mod:`tumbuh.core.safezip`): only the central directory is read first; too many members, a
member that would unpack to far more than its compressed size (a zip bomb, past
:data:`MAX_RATIO` to 1), more than :data:`MAX_UNPACKED` in all, an encrypted member, a name that
climbs out of the archive (``../``, an absolute path, a drive letter), a symbolic link or an
archive two levels deep refuse the whole file. Nothing is written to disk: each member is
unpacked once as a stream and counted (more than its header declares is refused: a lying
header), then read into memory. A ``.shp`` or ``.dbf`` that is something else renamed (a PDF, an image, a Word
document) is recognised by its first bytes and refused with what it is. A zip inside the zip
(as some portals wrap their downloads) is opened once, under the same limits.

**Reading** is pyshp's: the ``.shp`` with its ``.shx`` and ``.dbf`` (and ``.prj``, ``.cpg``)
of the same name. Only polygon layers are boundaries; lines and points are listed and left.
With several polygon layers, the one whose features match most areas is used. The attribute
table's encoding is the ``.cpg``'s when there is one, else UTF-8 if every name decodes as
UTF-8, else Windows-1252 (ArcGIS's "ANSI"), so "Ma'rang" and "Désa" arrive as written.

**Coordinates**: the ``.prj`` (ESRI or OGC WKT, e.g. UTM zone 50S / EPSG:32750, or DGN95) is
read by pyproj and every vertex transformed to WGS 84 (longitude, latitude). Without a
``.prj`` the coordinate system is unknown: the file is taken as WGS 84 only if every
coordinate is a longitude and a latitude (said so in the report); otherwise it is refused.
Boundaries that land outside Indonesia after the transformation mean a wrong ``.prj``: refused.
"""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils.translation import gettext, gettext_noop
from shapely.geometry import shape

from tumbuh.core import safezip

from . import geojson
from .geojson import BoundaryFileError

#: The most a boundary zip may unpack to (a province's desa layer is a few hundred MB).
MAX_UNPACKED = 600 << 20
#: The most members a boundary zip may hold.
MAX_MEMBERS = 2000
#: A member compressed more than this is a zip bomb. Higher than for Office files
#: (``TUMBUH_UPLOAD_MAX_RATIO``): a .dbf is padded with spaces to its field widths, and BIG's
#: layout compresses 82 : 1 (bench/bench_zip_ratios.py, docs/performance.md); deflate's own
#: ceiling, which bombs reach, is about 1,032 : 1.
MAX_RATIO = 250
POLYGON_TYPES = {5, 15, 25}  # POLYGON, POLYGONZ, POLYGONM
SHAPE_TYPE_NAMES = {
    1: "point",
    3: "line",
    5: "polygon",
    8: "multipoint",
    11: "point",
    13: "line",
    15: "polygon",
    18: "multipoint",
    21: "point",
    23: "line",
    25: "polygon",
    28: "multipoint",
    31: "multipatch",
}
#: Indonesia with a wide margin: boundaries outside it were transformed from a wrong .prj.
INDONESIA = (90.0, -15.0, 145.0, 10.0)
_SHP_MAGIC = b"\x00\x00\x27\x0a"  # file code 9994, big-endian
_DBF_VERSIONS = {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xE5, 0xF5, 0xFB}
#: .cpg contents → Python codec.
_CPG = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "65001": "utf-8",
    "1252": "cp1252",
    "ansi 1252": "cp1252",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "iso-8859-1": "latin-1",
    "8859_1": "latin-1",
    "latin1": "latin-1",
    "88591": "latin-1",
    "437": "cp437",
    "oem": "cp437",
    "850": "cp850",
}


CODEC_NAMES = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1", "cp437": "DOS 437", "cp850": "DOS 850"}


def looks_like_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def what_it_is(head: bytes) -> str | None:
    """A short name for a file that is plainly not a boundary file, from its first bytes."""
    if not head.strip():
        return gettext_noop("an empty file")
    if head.startswith(b"%PDF"):
        return gettext_noop("a PDF document")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")):
        return gettext_noop("an image")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return gettext_noop("an Office document (Word or Excel)")
    if head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return gettext_noop("a RAR or 7-Zip archive")
    return None


@dataclass
class Layer:
    """One shapefile of the zip, read: its features in WGS 84 and what was assumed."""

    name: str
    shape_type: int
    features: list[dict] = field(default_factory=list)
    notes: list = field(default_factory=list)  # [msgid, params]
    size: int = 0

    @property
    def is_polygon(self) -> bool:
        return self.shape_type in POLYGON_TYPES


# ---------------------------------------------------------------- the zip


def _limits(depth: int) -> safezip.Limits:
    # One zip inside the zip is opened (as some portals wrap their downloads), under the same limits.
    return safezip.Limits(max_unpacked=MAX_UNPACKED, max_ratio=MAX_RATIO, max_members=MAX_MEMBERS, nested=depth == 0)


def _members(data: bytes, depth: int = 0) -> dict[str, bytes]:
    """The zip's files by name (lower-case extension kept as written), after every check
    (``tumbuh.core.safezip``: the central directory first, then each member's actual size)."""
    try:
        archive = safezip.open_archive(io.BytesIO(data), _limits(depth), size=len(data))
    except safezip.UnsafeArchive as exc:
        raise BoundaryFileError(exc.message, **exc.params) from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BoundaryFileError(
            gettext_noop("The file is not a readable zip archive (%(error)s)."), error=str(exc)[:120]
        ) from None
    with archive:
        out = {}
        for info in archive.infolist():
            base = posixpath.basename(info.filename.replace("\\", "/"))
            if info.is_dir() or info.filename.startswith("__MACOSX/") or base.startswith("._"):
                continue  # folders, macOS's resource forks
            try:
                out[info.filename] = safezip.read(archive, info)  # never more than the declared size
            except safezip.UnsafeArchive as exc:
                raise BoundaryFileError(exc.message, **exc.params) from None
    if depth == 0 and not any(n.lower().endswith((".shp", ".geojson", ".json")) for n in out):
        inner = [n for n in out if n.lower().endswith(".zip")]
        if len(inner) == 1:
            return _members(out[inner[0]], depth=1)
    return out


def _stem_groups(members: dict[str, bytes]) -> dict[str, dict[str, str]]:
    """{path without extension (lower-case): {extension: member name}}."""
    groups: dict[str, dict[str, str]] = {}
    for name in members:
        stem, ext = posixpath.splitext(name.replace("\\", "/"))
        groups.setdefault(stem.lower(), {})[ext.lower()] = name
    return groups


def read_zip(data: bytes) -> tuple[list[Layer], list[bytes]]:
    """The zip's shapefile layers, read and reprojected, and any GeoJSON files it holds."""
    members = _members(data)
    groups = _stem_groups(members)
    layers, geojsons = [], []
    for stem, files in sorted(groups.items()):
        if ".shp" in files:
            layers.append(_read_layer(stem, files, members))
        elif ".geojson" in files or ".json" in files:
            geojsons.append(members[files.get(".geojson") or files[".json"]])
    if not layers and not geojsons:
        listed = ", ".join(sorted(posixpath.basename(n) for n in members)[:12]) or "—"
        raise BoundaryFileError(
            gettext_noop(
                "The zip holds no shapefile (.shp with its .shx, .dbf and .prj) and no GeoJSON; it holds: %(files)s."
            ),
            files=listed,
        )
    return layers, geojsons


# ---------------------------------------------------------------- one shapefile


def _encoding(files: dict[str, str], members: dict[str, bytes], dbf: bytes) -> tuple[str | None, list]:
    """The attribute table's codec from the .cpg (None: to be found from the text)."""
    if ".cpg" in files:
        declared = members[files[".cpg"]][:40].decode("ascii", "ignore").strip().lower()
        codec = _CPG.get(declared)
        if codec is None:
            try:
                import codecs

                codec = codecs.lookup(declared).name
            except LookupError:
                codec = None
        if codec:
            return codec, [
                [
                    gettext_noop("Attribute table encoding: %(encoding)s (from the .cpg file)."),
                    {"encoding": CODEC_NAMES.get(codec, codec)},
                ]
            ]
    return None, []


def _records(reader_for, encoding: str | None) -> tuple[list, str, list]:
    """Every record as a dict, decoded with ``encoding`` or, unknown, UTF-8 else Windows-1252."""
    tries = [encoding] if encoding else ["utf-8", "cp1252", "latin-1"]
    for codec in tries:
        try:
            reader = reader_for(codec, "strict")
            return [r.as_dict() for r in reader.iterRecords()], codec, []
        except Exception as exc:  # pyshp 2 raises UnicodeDecodeError, pyshp 3 wraps it in dbfFileException
            if isinstance(exc, UnicodeDecodeError) or "decode" in str(exc).lower():
                continue
            raise
    reader = reader_for(tries[-1], "replace")
    return (
        [r.as_dict() for r in reader.iterRecords()],
        tries[-1],
        [
            [
                gettext_noop(
                    "Some names in the attribute table could not be decoded as %(encoding)s; unreadable letters are "
                    "shown as �."
                ),
                {"encoding": tries[-1]},
            ]
        ],
    )


def _crs(files: dict[str, str], members: dict[str, bytes], bbox, name: str):
    """(pyproj CRS or None for WGS 84 as is, notes)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if ".prj" in files:
        text = members[files[".prj"]].decode("utf-8", "replace").strip().lstrip("\ufeff")
        try:
            crs = CRS.from_user_input(text)
        except CRSError as exc:
            raise BoundaryFileError(
                gettext_noop(
                    "The coordinate system in %(name)s.prj cannot be read (%(error)s). Export the layer again with its .prj, or "
                    "in WGS 84."
                ),
                name=name,
                error=str(exc)[:160],
            ) from None
        epsg = crs.to_epsg(min_confidence=70)
        label = f"{crs.name} (EPSG:{epsg})" if epsg else crs.name
        return crs, [
            [gettext_noop("Coordinate system: %(crs)s, from the .prj file; converted to WGS 84."), {"crs": label}]
        ]
    x0, y0, x1, y1 = bbox
    if -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90:
        return None, [
            [
                gettext_noop(
                    "%(name)s has no .prj file, so its coordinate system is not stated. Its coordinates are longitudes and "
                    "latitudes, so WGS 84 is assumed: check that the map lies where it should."
                ),
                {"name": name},
            ]
        ]
    raise BoundaryFileError(
        gettext_noop(
            "%(name)s has no .prj file, so its coordinate system is unknown, and its coordinates (for example %(x)s, "
            "%(y)s) are not longitudes and latitudes: they are in metres of some projection. Put the .prj file that came "
            "with the shapefile into the zip, or export the layer again in WGS 84 (EPSG:4326)."
        ),
        name=name,
        x=f"{x0:.0f}",
        y=f"{y0:.0f}",
    )


def _transformer(crs):
    if crs is None:
        return None
    from pyproj import CRS, Transformer

    wgs84 = CRS.from_epsg(4326)
    if crs.equals(wgs84, ignore_axis_order=True):
        return None
    return Transformer.from_crs(crs, wgs84, always_xy=True)


def _check_magic(name: str, ext: str, head: bytes) -> None:
    disguised = what_it_is(head[:16])
    disguised = gettext(disguised) if disguised else None
    if ext == ".shp" and not head.startswith(_SHP_MAGIC):
        raise BoundaryFileError(
            gettext_noop("%(name)s is not a shapefile%(what)s."), name=name, what=f" ({disguised})" if disguised else ""
        )
    if ext == ".dbf" and (len(head) < 32 or head[0] not in _DBF_VERSIONS):
        raise BoundaryFileError(
            gettext_noop("%(name)s is not a dBASE attribute table%(what)s."),
            name=name,
            what=f" ({disguised})" if disguised else "",
        )


def _read_layer(stem: str, files: dict[str, str], members: dict[str, bytes]) -> Layer:
    import shapefile  # pyshp

    shp_name = files[".shp"]
    name = posixpath.basename(posixpath.splitext(shp_name.replace("\\", "/"))[0])
    if ".dbf" not in files:
        raise BoundaryFileError(
            gettext_noop(
                "%(name)s.shp has no .dbf beside it (the attribute table with the codes and names): the zip must hold the .shp, "
                ".shx, .dbf and .prj of the same name."
            ),
            name=name,
        )
    shp, dbf = members[shp_name], members[files[".dbf"]]
    shx = members.get(files.get(".shx", ""), None)
    _check_magic(f"{name}.shp", ".shp", shp[:100])
    _check_magic(f"{name}.dbf", ".dbf", dbf[:32])

    def reader_for(encoding, errors):
        return shapefile.Reader(
            shp=io.BytesIO(shp),
            shx=io.BytesIO(shx) if shx else None,
            dbf=io.BytesIO(dbf),
            encoding=encoding,
            encodingErrors=errors,
        )

    try:
        with warnings.catch_warnings():  # pyshp warns of header sizes many writers get slightly wrong
            warnings.simplefilter("ignore")
            return _read_layer_checked(name, files, members, shp, shx, dbf, reader_for)
    except BoundaryFileError:
        raise
    except Exception as exc:  # pyshp raises ShapefileException, struct.error, IndexError… for damaged files
        raise BoundaryFileError(
            gettext_noop("%(name)s cannot be read as a shapefile (%(error)s)."),
            name=name,
            error=f"{type(exc).__name__}: {exc}"[:160],
        ) from None


def _read_layer_checked(name, files, members, shp, shx, dbf, reader_for) -> Layer:
    reader = reader_for("latin-1", "replace")
    shape_type = reader.shapeType
    bbox = list(reader.bbox)
    encoding, notes = _encoding(files, members, dbf)
    records, used, more = _records(reader_for, encoding)
    if encoding is None:
        more = more or [
            [
                gettext_noop("Attribute table encoding: %(encoding)s (no .cpg file; the names decode as it)."),
                {"encoding": CODEC_NAMES.get(used, used)},
            ]
        ]
    notes += more
    shapes = list(reader_for("latin-1", "replace").iterShapes()) if shape_type in POLYGON_TYPES else []
    layer = Layer(name=name, shape_type=shape_type, size=len(shp) + len(dbf) + len(shx or b""))
    if shape_type not in POLYGON_TYPES:
        return layer
    crs, crs_notes = _crs(files, members, bbox, name)
    layer.notes = crs_notes + notes
    transformer = _transformer(crs)
    geoms = []
    for s in shapes:
        if s.shapeType == 0 or not s.points:
            geoms.append(None)
            continue
        geoms.append(shape(s.__geo_interface__))
    if transformer is not None:

        def to_wgs84(coords):
            x, y = transformer.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        geoms = [None if g is None else shapely.transform(g, to_wgs84) for g in geoms]
    present = [g for g in geoms if g is not None]
    if present:
        x0, y0, x1, y1 = shapely.total_bounds(present).tolist()
        west, south, east, north = INDONESIA
        if not np.isfinite([x0, y0, x1, y1]).all() or x1 < west or x0 > east or y1 < south or y0 > north:
            raise BoundaryFileError(
                gettext_noop(
                    "Converted with the coordinate system of %(name)s.prj, the boundaries lie at longitude %(x0)s to %(x1)s and "
                    "latitude %(y0)s to %(y1)s, outside Indonesia: the .prj does not describe these coordinates."
                ),
                name=name,
                x0=f"{x0:.2f}",
                x1=f"{x1:.2f}",
                y0=f"{y0:.2f}",
                y1=f"{y1:.2f}",
            )
    for record, geom in zip(records, geoms, strict=False):
        layer.features.append({"type": "Feature", "properties": record, "geometry": geom})
    return layer


# ---------------------------------------------------------------- one upload


def check_zip(
    data: bytes,
    kabupaten_code: str,
    level: int | None = None,
    *,
    repair: bool = False,
    tolerance: float = geojson.DEFAULT_TOLERANCE,
) -> geojson.Report:
    """Read a zipped shapefile (or a zip holding a GeoJSON) and check it as GeoJSON is
    checked; with several polygon layers, the one that matches most areas."""
    layers, geojsons = read_zip(data)
    polygons = [layer for layer in layers if layer.is_polygon]
    skipped = [
        [
            gettext_noop("Layer %(name)s holds %(kind)s features, not areas: left out."),
            {"name": layer.name, "kind": SHAPE_TYPE_NAMES.get(layer.shape_type, str(layer.shape_type))},
        ]
        for layer in layers
        if not layer.is_polygon
    ]
    candidates: list[tuple[str, list[dict], list, int, str]] = [
        (layer.name, layer.features, layer.notes, layer.size, "shapefile") for layer in polygons
    ]
    candidates += [
        (f"GeoJSON {i + 1}", geojson.parse_geojson(raw), [], len(raw), "geojson") for i, raw in enumerate(geojsons)
    ]
    if not candidates:
        raise BoundaryFileError(
            gettext_noop("The zip holds no layer of areas (polygons): %(layers)s."),
            layers=", ".join(layer.name for layer in layers),
        )
    best, errors = None, []
    for name, features, notes, size, source in candidates:
        try:
            report = geojson.check_features(
                features,
                kabupaten_code,
                level,
                repair=repair,
                tolerance=tolerance,
                size_before=size,
                source=source,
                notes=notes,
            )
        except BoundaryFileError as exc:
            errors.append(exc)
            continue
        matched = sum(report.matched_by.values())
        if len(candidates) > 1:
            report.notes.insert(0, [gettext_noop("Layer used: %(name)s."), {"name": name}])
        if best is None or matched > best[0]:
            best = (matched, report, name)
    if best is None:
        raise errors[0]
    report = best[1]
    others = [name for name, *_rest in candidates if name != best[2]]
    if others:
        report.notes.append(
            [
                gettext_noop("Other layers of areas in the zip, matching fewer areas, left out: %(names)s."),
                {"names": ", ".join(others)},
            ]
        )
    report.notes += skipped
    report.size_before = len(data)
    return report
